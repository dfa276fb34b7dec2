"""The benchmark's own code at toy scale: the bulk generator lands the exact landing layout and
schema with consistent counts, the floor reads every landed row, the extraction minimum and the
report's targets compute as written, and the bench's SQL agrees with the sandbox's Python.
(The figures themselves come from `make bench`.)

Over 300 lines: most tests read the one landing the module fixture generates (about ten
seconds); split over files, each file would generate it again."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kolpipe.core import fields
from kolpipe.core.paths import PLATFORMS
from kolpipe.extract.base import POST_WINDOW_DAYS
from kolpipe_tools.bench import extraction, run, stages
from kolpipe_tools.bench import report as bench_report
from kolpipe_tools.bench.columns import NATIVE_SQL
from kolpipe_tools.bench.generate import (
    GENERATED_ENTITIES,
    WorldSize,
    _accounts_table,
    _platform_constants,
    generate,
    world_accounts,
)
from kolpipe_tools.bench.world_sql import ACCOUNT_DAYS, MACROS, POST_OBSERVATIONS
from kolpipe_tools.sandbox import constants

SIZE = WorldSize(accounts=40, days=5, end=date(2026, 6, 30))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench") / "landing"
    manifest = generate(SIZE, root, progress=lambda message: None, memory_limit="1GB")
    return root, manifest


def test_generated_landing_has_the_layout_schema_and_counts_of_the_extractors(generated):
    root, manifest = generated
    for platform in PLATFORMS:
        for entity in GENERATED_ENTITIES:
            table_dir = root / "raw" / platform / entity
            days = sorted(p.name for p in table_dir.iterdir())
            assert days == [f"dt=2026-06-{d}" for d in range(26, 31)]
            files = sorted(f.name for p in table_dir.iterdir() for f in p.iterdir())
            assert set(files) == {"part-0.parquet"}
            table = pa.concat_tables(
                pq.read_table(f) for f in sorted(table_dir.glob("dt=*/part-0.parquet")))
            assert table.schema.remove_metadata().equals(fields.schema(platform, entity))
            assert table.num_rows == manifest["rows"][f"{platform}/{entity}"]
        # every post observed on a day is one posts row and one post_metrics row
        assert manifest["rows"][f"{platform}/posts"] == manifest["rows"][f"{platform}/post_metrics"]
    assert manifest["rows"]["registry/accounts"] == 40 * 5
    total_accounts = sum(manifest["rows"][f"{p}/accounts"] for p in PLATFORMS)
    assert 0 < total_accounts <= 40 * 5
    assert manifest["rows"]["instagram/post_metrics"] > 0


def test_generated_accounts_are_the_sandbox_worlds_day_by_day(generated):
    """The generator's SQL follows world.Account: the same accounts land on the same days
    (created, not churned, private ones only on X), under the handle of the day, with the
    follower count of the day up to the follower noise (drawn from another random source)."""
    root, _ = generated
    handle_column = {"instagram": "username", "youtube": "custom_url", "tiktok": "username",
                     "x": "username", "weibo": "screen_name"}
    followers_column = {"instagram": "followers_count", "tiktok": "follower_count",
                        "x": "followers_count", "weibo": "followers_count"}
    con = duckdb.connect()
    landed = {}
    for platform, handle in handle_column.items():
        followers = followers_column.get(platform, "null")
        for account_id, day, name, count in con.execute(
                f"select account_id, logical_date, {handle}, {followers} from read_parquet("
                f"'{root}/raw/{platform}/accounts/*/*.parquet')").fetchall():
            landed[(platform, account_id, day)] = (name.removeprefix("@"), count)
    expected = {}
    for account in world_accounts(SIZE):
        for offset in range(SIZE.days):
            day = SIZE.start + timedelta(days=offset)
            if account.exists_on(day) and (account.platform == "x"
                                           or not account.is_private_on(day)):
                expected[(account.platform, account.user_id, day)] = (
                    account.handle_on(day), account.followers_on(day))
    assert set(landed) == set(expected)
    for key, (handle, followers) in expected.items():
        landed_handle, landed_followers = landed[key]
        assert landed_handle == handle, key
        if landed_followers is not None:
            assert abs(landed_followers - followers) <= 0.01 * followers + 1, key


def test_generated_values_keep_the_platform_quirks(generated):
    root, _ = generated
    con = duckdb.connect()
    youtube = con.execute(f"select subscriber_count from read_parquet('{root}/raw/youtube/accounts/"
                      "*/*.parquet') where subscriber_count >= 1000").fetchall()
    for (subscribers,) in youtube:  # three significant figures, as the API rounds them
        assert subscribers == int(float(f"{subscribers:.3g}"))
    views_on_non_videos = con.execute(
        f"select count(*) from read_parquet('{root}/raw/instagram/post_metrics/*/*.parquet') m "
        f"join read_parquet('{root}/raw/instagram/posts/*/*.parquet') p using (id, logical_date) "
        "where p.media_type <> 'VIDEO' and m.view_count is not null").fetchone()[0]
    assert views_on_non_videos == 0
    # a post is re-observed daily: its metrics never shrink from one day to the next
    shrinking = con.execute(
        f"select count(*) from (select id, like_count, lag(like_count) over (partition by id "
        f"order by logical_date) as before from read_parquet('{root}/raw/tiktok/post_metrics/"
        "*/*.parquet')) where like_count < before").fetchone()[0]
    assert shrinking == 0


def test_every_observed_post_lands_one_unchanged_row_a_day_with_its_metrics(generated):
    """Posts are rendered once and re-observed daily: each (post, day) has one posts row and
    one post_metrics row, a post's posts row is the same every day, and no post is observed
    for longer than the extractors' window."""
    root, _ = generated
    con = duckdb.connect()
    for platform in PLATFORMS:
        posts = f"read_parquet('{root}/raw/{platform}/posts/*/*.parquet')"
        metrics = f"read_parquet('{root}/raw/{platform}/post_metrics/*/*.parquet')"
        unmatched = con.execute(
            f"select count(*) from {posts} p full join {metrics} m using (id, logical_date) "
            "where p.id is null or m.id is null").fetchone()[0]
        assert unmatched == 0, platform
        changing, longest = con.execute(
            f"select count(*) filter (where payloads > 1), max(days) from (select id, "
            f"count(distinct raw_payload) as payloads, count(*) as days from {posts} "
            "group by id)").fetchone()
        assert changing == 0, platform
        assert longest <= POST_WINDOW_DAYS, platform


def test_generator_draws_are_uniform_and_independent_across_purposes():
    """The SQL draws stand in for world.py's random.Random: two purposes' draws of one key
    must not be correlated (they were, through DuckDB's hash combining, which skewed the share
    of sponsored posts and of media types)."""
    con = duckdb.connect()
    con.execute(MACROS)
    sponsored, media_share, correlation, post_index_correlation = con.execute(
        "select avg((draw(n, d, p, 'sponsored') < 0.12)::int), "
        "avg((floor(draw(n, d, p, 'media') * 3) = 1)::int), "
        "corr(draw(n, d, p, 'media'), draw(n, d, p, 'sponsored')), "
        "corr(draw(n, d, 0, 'media'), draw(n, d, 1, 'media')) "
        "from range(1000) a(n), range(-14, 60) b(d), range(3) c(p) "
        "where draw(n, d, 0, 'post_count') > 0.7").fetchone()
    assert abs(sponsored - 0.12) < 0.01
    assert abs(media_share - 1 / 3) < 0.02
    assert abs(correlation) < 0.03 and abs(post_index_correlation) < 0.03


def test_entities_the_generator_does_not_know_land_as_empty_partitions(generated):
    root, manifest = generated
    for name in manifest["skipped_entities"]:
        platform, entity = name.split("/")
        files = sorted((root / "raw" / platform / entity).glob("dt=*/part-0.parquet"))
        assert len(files) == SIZE.days
        assert pq.read_table(files[0]).num_rows == 0
    known = {f"{p}/{e}" for p in PLATFORMS for e in fields.NATIVE_FIELDS[p]}
    assert set(manifest["skipped_entities"]) == {
        n for n in known if n.split("/")[1] not in GENERATED_ENTITIES}


def test_floor_reads_every_landed_row(generated):
    root, manifest = generated
    result = stages.floor({"landing": str(root), "memory_limit": "1GB", "threads": 1})
    assert result["rows_read"] == sum(manifest["rows"].values())
    assert result["tables"] == len(list(root.glob("raw/*/*")))


def test_minimum_calls_follow_each_api_batching():
    assert extraction.minimum_calls("youtube", registered=120, found=110, readable=110,
                                posts=260) == 3 + 110 + 6
    assert extraction.minimum_calls("x", registered=250, found=240, readable=230,
                                    posts=900) == 3 + 230
    assert extraction.minimum_calls("tiktok", registered=30, found=30, readable=30,
                                    posts=450) == 35
    assert extraction.minimum_calls("instagram", 80, 75, 75, 900) == 80
    assert extraction.minimum_calls("weibo", 20, 18, 18, 100) == 38


def test_report_rows_compare_each_figure_with_its_target():
    report = {"total_seconds": 900.0, "stages": {
        "floor": {"seconds": 10.0, "peak_rss_mb": 900.0},
        "dbt_empty": {"seconds": 20.0},
        "dbt_full_long": {"seconds": 60.0},
        "dbt_incremental_long": {"seconds": 9.0},
        "dbt_incremental_short": {"seconds": 8.0},
        "dbt_incremental_mid": {"seconds": 7.5},
        "dag_parse": {"seconds": 0.4},
    }}
    rows = {r["figure"]: r for r in bench_report.table_rows(report)}
    assert rows["dbt full build, long history"]["verdict"] == "pass"  # 60 <= 20 + 5 * 10
    assert rows["dbt full build, long history"]["x_floor"] == 6.0
    assert rows["dbt incremental day, long history"]["verdict"] == "miss"  # 9 > 10% of 60
    assert rows["incremental day long / short history"]["value"] == 1.125
    assert rows["incremental day long / short history"]["verdict"] == "pass"
    assert rows["incremental day long / mid history"]["value"] == 1.2
    assert rows["DAG file parse (DagBag)"]["verdict"] == "pass"
    assert rows["peak memory: floor"]["verdict"] == "pass"


def test_stages_are_checked_and_only_the_landing_stages_generate(tmp_path, monkeypatch,
                                                                  capsys):
    with pytest.raises(SystemExit):
        run.main(["--stages", "dbt,extractoin", "--work-dir", str(tmp_path)])
    assert "unknown stage(s) extractoin" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run.main(["--stages", "dbt", "--history-days", "60", "--work-dir", str(tmp_path)])
    assert ("--mid-history-days (90) < --history-days (60)" in capsys.readouterr().err)
    started = []
    monkeypatch.setattr(run, "run_stage", lambda name, params: started.append(name) or
                        {"seconds": 0.5})
    settings = {"accounts": 30, "history_days": 4, "short_history_days": 2, "extract_kols": 2,
                "rate_per_second": 20.0, "memory_limit": "1GB", "duckdb_threads": 1}
    report = run.run(settings, ["dag_parse"], tmp_path)
    assert started == ["dag_parse"]
    assert not [r for r in report["rows"] if r["figure"].startswith(("landed", "generation"))]


def test_quick_bench_writes_the_table_and_figures(tmp_path):
    code = run.main(["--quick", "--accounts", "30", "--history-days", "4", "--stages",
                     "generate,floor", "--memory-limit", "1GB", "--work-dir",
                     str(tmp_path / "work"), "--results-dir", str(tmp_path / "results")])
    assert code == 0
    report = json.loads((tmp_path / "results" / "latest.json").read_text())
    figures = {r["figure"]: r for r in report["rows"]}
    landed = report["stages"]["generate"]["manifest"]["rows"]
    assert figures["landed rows, all tables"]["value"] == sum(landed.values())
    # the floor reads the history (the incremental days are not linked into its landing)
    floor_landing = tmp_path / "work" / "homes" / "floor" / "landing"
    history_rows = duckdb.execute(
        f"select count(*) from read_parquet('{floor_landing}/raw/*/*/*/*.parquet', "
        "union_by_name = true)").fetchone()[0]
    incremental_days = [run.END_DATE - timedelta(days=n) for n in range(run.INCREMENTAL_DAYS)]
    incremental_rows = duckdb.execute(
        "select count(*) from read_parquet([" + ", ".join(
            f"'{tmp_path}/work/cache/*/raw/*/*/dt={day}/*.parquet'" for day in incremental_days)
        + "], union_by_name = true)").fetchone()[0]
    assert history_rows == sum(landed.values()) - incremental_rows > 0
    assert report["stages"]["floor"]["rows_read"] == history_rows
    assert report["machine"]["cores"] >= 1
    markdown = (tmp_path / "results" / "latest.md").read_text()
    for figure in figures:
        assert f"| {figure} |" in markdown
    # a rerun with the same parameters reuses the cached landing
    run.main(["--quick", "--accounts", "30", "--history-days", "4", "--stages", "generate",
              "--memory-limit", "1GB", "--work-dir", str(tmp_path / "work"), "--results-dir",
              str(tmp_path / "results")])
    assert json.loads((tmp_path / "results" / "latest.json").read_text())[
        "stages"]["generate"]["cached"] is True


def test_sample_reads_count_one_call_per_sampled_account_and_post(tmp_path):
    from kolpipe.core import files
    from kolpipe.core.paths import Paths

    paths, day = Paths(tmp_path), date(2026, 3, 1)

    def rows(entity: str, values: list[dict]) -> list[dict]:
        columns = fields.schema("x", entity).names
        return [{c: v.get(c) for c in columns} for v in values]

    followers = rows("follower_samples", [{"account_id": "a", "id": str(i)} for i in range(3)]
                     + [{"account_id": "b", "id": "9"}])
    comments = rows("comment_samples", [{"account_id": "a", "id": f"c{i}",
                                         "conversation_id": f"p{i % 2}"} for i in range(5)])
    for entity, values in (("follower_samples", followers), ("comment_samples", comments)):
        files.write_partition(files.raw_file(paths, "x", entity, day), values,
                                fields.schema("x", entity))
    # two accounts with a follower sample, two posts with a comment sample
    assert extraction._sampled(paths, "x", day) == 4
    assert extraction._sampled(paths, "instagram", day) == 0


def test_the_incremental_figure_is_the_median_day():
    days = [{"seconds": 9.0, "peak_rss_mb": 100.0}, {"seconds": 5.0, "peak_rss_mb": 300.0},
            {"seconds": 7.0, "peak_rss_mb": 200.0, "slowest_nodes": ["x"]}]
    figure = bench_report.median_run(days)
    assert figure["seconds"] == 7.0 and figure["slowest_nodes"] == ["x"]
    assert figure["each_seconds"] == [9.0, 5.0, 7.0]
    assert figure["peak_rss_mb"] == 300.0


# --- the bench and the sandbox agree ---------------------------------------------------------

def test_bench_sql_follows_the_sandbox_follower_formulas():
    """world_sql.ACCOUNT_DAYS re-implements FollowerDynamics with the numbers of
    sandbox.constants: over a year of the world's accounts (spikes, dormancy and churn
    included) the organic followers agree exactly and the followers up to the daily noise (the
    two draw it from different random sources)."""
    accounts = world_accounts(WorldSize(accounts=150, days=1, end=date(2026, 1, 1)))
    con = duckdb.connect()
    con.execute(MACROS)
    accounts_arrow = _accounts_table(accounts)  # noqa: F841 (read by name below)
    con.execute("create table accounts as select * from accounts_arrow")
    con.execute(ACCOUNT_DAYS.format(first_day=-60, last_day=330))
    rows = con.execute("select n, day, organic_followers, followers from account_days"
                       ).fetchall()
    expected_rows = sum(1 for a in accounts for day in range(-60, 331)
                        if a.exists_on(constants.REFERENCE_DATE + timedelta(days=day)))
    assert len(rows) == expected_rows
    assert any("follower_spike" in a.problems for a in accounts)
    assert any("dormant" in a.problems for a in accounts)
    noise = 6 * constants.FOLLOWER_NOISE * 2**0.5
    for n, day, organic, followers in rows:
        account, d = accounts[n], constants.REFERENCE_DATE + timedelta(days=day)
        assert organic == pytest.approx(account.organic_followers_on(d), rel=1e-12)
        assert abs(followers - account.followers_on(d)) <= noise * organic + 1, (n, day)


def test_bench_sql_matures_the_sandbox_posts_metrics_as_the_sandbox_does():
    """world_sql.POST_OBSERVATIONS re-implements Posting.metrics_on: run on the sandbox's own
    posts it gives the sandbox's likes, shares, saves and views on each day. (Comments differ
    by design: the bench does not model the accounts' comment traits, pods and farms.)"""
    day0 = date(2026, 3, 1)
    world_posts = [(a, post) for a in world_accounts(WorldSize(150, 1, day0))
                   if not a.pod_boost for back in range(3)
                   for post in a.posts_published_on(day0 - timedelta(days=back))]
    assert any(post.likes_bought for _, post in world_posts)
    midnight = datetime.combine(constants.REFERENCE_DATE, time(0), tzinfo=UTC)
    splits = {p["platform"]: p for p in _platform_constants().to_pylist()}
    rows = [{"i": i, "published_second": int((post.published_at - midnight).total_seconds()),
             "final_engagements": post.final_engagements, "final_views": post.final_views,
             "likes_bought": post.likes_bought,
             **{k: v for k, v in splits[a.platform].items() if k.startswith("split_")}}
            for i, (a, post) in enumerate(world_posts)]
    con = duckdb.connect()
    posts_arrow = pa.Table.from_pylist(rows)  # noqa: F841 (read by name below)
    con.execute("create table posts_all as select * from posts_arrow")
    for as_of in (day0, day0 + timedelta(days=1), day0 + timedelta(days=9)):
        day = (as_of - constants.REFERENCE_DATE).days
        sql = POST_OBSERVATIONS.format(day=day, platform="all", observed="true")
        for i, likes, shares, saves, views in con.execute(
                f"select i, likes, shares, saves, views from ({sql}) order by i").fetchall():
            account, post = world_posts[i]
            m = account.metrics_on(post, as_of)
            assert (likes, shares, saves, views) == (m.likes, m.shares, m.saves, m.views), i


def test_generated_accounts_carry_what_the_sandbox_serves(generated):
    """The accounts the bench lands are the rows the clients land from the sandbox's answers
    for the same account and day: the same constants (video and post counts, listed counts,
    likes per follower) and texts; the follower counts (and what derives from them) up to the
    daily noise. Instagram's media_count is the base only (the bench lands no timeline)."""
    from kolpipe.extract import instagram, tiktok, weibo, x, youtube
    from kolpipe_tools.sandbox.routes import instagram as ig_routes
    from kolpipe_tools.sandbox.routes import tiktok as tt_routes
    from kolpipe_tools.sandbox.routes import weibo as wb_routes
    from kolpipe_tools.sandbox.routes import x as x_routes
    from kolpipe_tools.sandbox.routes import youtube as yt_routes

    served = {
        "instagram": lambda a, d: instagram.account_row(
            ig_routes.user_item(a, d, constants.INSTAGRAM_MEDIA_COUNT_BASE)),
        "youtube": lambda a, d: youtube._account_row(yt_routes.channel_item(a, d)),
        "tiktok": lambda a, d: tiktok.account_row(
            {"username": a.handle_on(d), **tt_routes.user_item(a, d)}),
        "x": lambda a, d: x._account_row(x_routes.user_item(a, d)),
        "weibo": lambda a, d: weibo._account_row(wb_routes.user_item(a, d)),
    }
    noisy = {"followers_count", "follower_count", "subscriber_count", "view_count",
             "likes_count"}
    root, _ = generated
    by_key = {(a.platform, a.user_id): a for a in world_accounts(SIZE)}
    compared = 0
    for platform in PLATFORMS:
        table = pq.read_table(root / "raw" / platform / "accounts").to_pylist()
        for row in table:
            account = by_key[(platform, row["account_id"])]
            expected = served[platform](account, row["logical_date"])
            for column, value in expected.items():
                if column in noisy and value is not None:
                    assert abs(row[column] - value) <= 0.02 * value + 1, (platform, column)
                else:
                    assert row[column] == value, (platform, column)
            compared += 1
    assert compared > 50


def test_the_bench_generates_every_landed_column_of_its_entities(generated):
    """NATIVE_SQL names exactly the landing schema's columns (core/fields.py): a column added
    there shows up here as a failure rather than as a silently null column."""
    _, manifest = generated
    assert manifest["null_columns"] == {}
    for platform in PLATFORMS:
        for entity in GENERATED_ENTITIES:
            native = [name for name, _ in fields.NATIVE_FIELDS[platform][entity]]
            assert set(NATIVE_SQL[platform][entity]) == set(native), (platform, entity)
