"""Every client against the sandbox over loopback HTTP, with and without faults, for every
landed entity (accounts, posts, post metrics, follower and comment samples)."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from functools import partial

import pyarrow.parquet as pq
import pytest

from kolpipe import land, registry
from kolpipe.core import files
from kolpipe.core.fields import entities
from kolpipe.core.paths import PLATFORMS, Paths, run_record
from kolpipe.extract.base import COMMENT_SAMPLE_DAYS, COMMENTS_PER_POST, FOLLOWER_SAMPLE_SIZE
from kolpipe.extract.http import Connection, PlatformError
from kolpipe_tools.sandbox.serve import running_sandbox
from kolpipe_tools.sandbox.server import TOKENS, Faults, connections
from kolpipe_tools.sandbox.world import World

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def world():
    return World(40)


def _home(tmp_path, world) -> Paths:
    paths = Paths(tmp_path)
    paths.registry.parent.mkdir(parents=True)
    paths.registry.write_text(registry.dump(world.kols()))
    return paths


def _conn(base_url: str, platform: str, **extra) -> Connection:
    spec = json.loads(connections(base_url)[f"AIRFLOW_CONN_KOL_{platform.upper()}"])
    return Connection(platform, spec["host"], spec["password"], {**spec["extra"], **extra})


# The columns that identify a row within one entity's partition (TikTok followers have no id).
KEY = {"accounts": ["account_id"], "posts": ["id"], "post_metrics": ["id"],
       "follower_samples": ["account_id", "id"], "comment_samples": ["id"],
       "creator_insights": ["account_id", "post_id", "metric_date", "period", "metric"],
       "audience_demographics": ["account_id", "dimension", "bucket"]}


def _landed_ids(paths: Paths, platform: str) -> dict[str, list]:
    ids = {}
    for entity in entities(platform):
        table = pq.read_table(files.raw_file(paths, platform, entity, DAY))
        key = ["account_id", "username"] if (platform, entity) == (
            "tiktok", "follower_samples") else KEY[entity]
        columns = [table.column(c).to_pylist() for c in key]
        ids[entity] = sorted(columns[0] if len(columns) == 1 else zip(*columns, strict=True),
                             key=str)  # post_id is null for an account's own insights
    return ids


def _landed_rows(paths: Paths, platform: str) -> dict[str, list[dict]]:
    return {entity: sorted(pq.read_table(files.raw_file(paths, platform, entity, DAY))
                           .to_pylist(), key=lambda row: row["raw_payload"] + row["account_id"])
            for entity in entities(platform)}


def _creator_connections(monkeypatch, url: str) -> None:
    """The creator APIs' app connections of the sandbox at `url`, with few retries."""
    for name, value in connections(url).items():
        if name.endswith("_CREATORS"):
            spec = json.loads(value)
            spec["extra"]["max_retries"] = 2
            monkeypatch.setenv(name, json.dumps(spec))


def _read_with_grant(paths: Paths, platform: str) -> list[str]:
    summary = json.loads(run_record(paths, "extract", DAY, f"{platform}.json").read_text())
    return summary["read_with_grant_ids"]


def _never_sleep(monkeypatch, waits: list[float]) -> None:
    """Rate-limit and retry waits are recorded instead of slept."""
    for platform in PLATFORMS:
        module = land.client_module(platform)
        monkeypatch.setattr(module, "make_client", partial(module.make_client,
                                                            sleep=waits.append))


@pytest.fixture(scope="module")
def clean_run(world, tmp_path_factory):
    """Each platform extracted once with no faults: the reference for the fault tests."""
    paths = _home(tmp_path_factory.mktemp("clean"), world)
    with running_sandbox(world) as url:
        summaries = {p: land.land_platform(p, DAY, paths, _conn(url, p)) for p in PLATFORMS}
    return paths, summaries


def test_every_platform_lands_the_registered_accounts(world, clean_run):
    paths, summaries = clean_run
    for platform in PLATFORMS:
        registered = [a for a in world.accounts if a.platform == platform]
        summary = summaries[platform]
        ids = _landed_ids(paths, platform)
        # Every registered account is either landed or reported with a reason.
        reported = {e["account_id"] for e in summary["account_errors"]}
        assert set(ids["accounts"]) | reported == {a.user_id for a in registered}
        assert len(ids["posts"]) == len(set(ids["posts"])) > 0
        assert ids["posts"] == ids["post_metrics"]
        assert summary["quarantined"] == 0 and summary["retries"] == 0
        for entity in ("follower_samples", "comment_samples"):
            if entity in ids:
                assert len(ids[entity]) == len(set(ids[entity])) > 0


def test_samples_match_the_world_and_stay_bounded(world, clean_run):
    """Follower samples are the world's newest followers, at most one page per account;
    comment samples are the newest comments of the recent posts, at most one page per post."""
    paths, _ = clean_run
    for platform in ("tiktok", "x", "weibo"):
        table = pq.read_table(files.raw_file(paths, platform, "follower_samples", DAY))
        by_account: dict[str, list[str]] = {}
        name = "screen_name" if platform == "weibo" else "username"
        for row in table.to_pylist():
            by_account.setdefault(row["account_id"], []).append(row[name])
        for account_id, usernames in by_account.items():
            truth = world.account(platform, account_id).follower_sample(DAY, FOLLOWER_SAMPLE_SIZE)
            assert usernames == [f["username"] for f in truth]
    for platform, post_column in (("youtube", "video_id"), ("tiktok", "video_id"),
                                  ("x", "conversation_id"), ("weibo", "status_id")):
        rows = pq.read_table(files.raw_file(paths, platform, "comment_samples", DAY)).to_pylist()
        by_post: dict[str, list[str]] = {}
        for row in rows:
            by_post.setdefault(row[post_column], []).append(row["id"])
        for post_id, comment_ids in by_post.items():
            account_id = next(r["account_id"] for r in rows if r[post_column] == post_id)
            account = world.account(platform, account_id)
            post = next(p for p in account.recent_posts(DAY, COMMENT_SAMPLE_DAYS)
                        if p.post_id == post_id)
            truth = account.comments_on(post, DAY, COMMENTS_PER_POST)
            assert comment_ids == [c.comment_id for c in truth]
            assert len(comment_ids) <= COMMENTS_PER_POST


def test_youtube_batches_channels_and_videos(world, clean_run):
    paths, summaries = clean_run
    summary = summaries["youtube"]
    channels = sum(a.platform == "youtube" for a in world.accounts)
    landed = summary["rows"]["accounts"]
    commented = len({row["video_id"] for row in pq.read_table(
        files.raw_file(paths, "youtube", "comment_samples", DAY)).to_pylist()})
    # one channels.list call per 50 ids, one playlistItems page per channel, videos by 50,
    # one commentThreads.list page per recent video with comments
    expected = -(-channels // 50) + landed + -(-summary["rows"]["posts"] // 50) + commented
    assert commented > 0
    assert summary["api_calls"] == expected == summary["quota_units"]


def test_faults_lose_and_duplicate_nothing(world, clean_run, tmp_path, monkeypatch):
    reference_paths, reference = clean_run
    paths = _home(tmp_path, world)
    faults = Faults(throttle=0.15, server_error=0.15, truncated=0.1)
    waits: list[float] = []
    _never_sleep(monkeypatch, waits)
    with running_sandbox(world, faults=faults) as url:
        for platform in PLATFORMS:
            summary = land.land_platform(platform, DAY, paths,
                                               _conn(url, platform, max_retries=8))
            assert summary["retries"] > 0
            # every retry is one more call; nothing else is called twice
            assert summary["api_calls"] == reference[platform]["api_calls"] + summary["retries"]
            assert _landed_ids(paths, platform) == _landed_ids(reference_paths, platform)
            assert _landed_rows(paths, platform) == _landed_rows(reference_paths, platform)
    assert waits and max(waits) <= 30


def test_malformed_records_go_to_quarantine_with_reason(world, clean_run, tmp_path):
    paths = _home(tmp_path, world)
    quarantined_entities = set()
    with running_sandbox(world, faults=Faults(bad_record=0.5)) as url:
        for platform in PLATFORMS:
            summary = land.land_platform(platform, DAY, paths, _conn(url, platform))
            quarantined = pq.read_table(files.quarantine_file(paths, platform, DAY)).to_pylist()
            assert summary["quarantined"] == len(quarantined) > 0
            assert all(row["reason"].startswith("unparseable") for row in quarantined)
            assert all("n/a" in row["raw_payload"] for row in quarantined)
            quarantined_entities |= {(platform, row["entity"]) for row in quarantined}
            # a quarantined record is never also landed
            landed = {e: {r["raw_payload"] for r in rows}
                      for e, rows in _landed_rows(paths, platform).items()}
            assert not any(row["raw_payload"] in landed[row["entity"]] for row in quarantined)
    assert {("x", "follower_samples"), ("x", "comment_samples"), ("tiktok", "comment_samples"),
            ("weibo", "follower_samples"), ("youtube", "comment_samples")} <= quarantined_entities


def test_a_failing_platform_does_not_stop_the_others(world, clean_run, tmp_path):
    reference_paths, _ = clean_run
    paths = _home(tmp_path, world)
    failed = []
    with running_sandbox(world) as url:
        for platform in PLATFORMS:
            conn = _conn(url, platform)
            if platform == "youtube":
                conn = Connection(platform, conn.base_url, "revoked-key", conn.extra)
            try:
                land.land_platform(platform, DAY, paths, conn)
            except PlatformError:
                failed.append(platform)
    assert failed == ["youtube"]
    assert not files.raw_file(paths, "youtube", "accounts", DAY).exists()
    for platform in set(PLATFORMS) - {"youtube"}:
        assert _landed_ids(paths, platform) == _landed_ids(reference_paths, platform)
    # every YouTube account is a gap with the stop's reason, and stays one after a catch-up
    registered = {a.account_id for a in registry.accounts_for(registry.load(paths.registry),
                                                               "youtube")}
    with running_sandbox(world) as url:
        land.land_platform("youtube", DAY, paths, _conn(url, "youtube"))
    stopped = list(files.gaps_file(paths, "youtube", DAY).parent.glob("youtube.stopped-*"))
    assert len(stopped) == 1
    gaps = pq.read_table(stopped[0]).to_pylist()
    assert {g["account_id"] for g in gaps} == registered
    assert {(g["kind"], g["platform_failed"]) for g in gaps} == {("token_rejected", True)}
    assert _landed_ids(paths, "youtube") == _landed_ids(reference_paths, "youtube")


def test_interrupted_extraction_resumes_from_its_checkpoint(world, tmp_path, monkeypatch):
    """An outage after 25 calls stops the run; the rerun skips the accounts already done,
    makes fewer calls than a run from scratch and lands the same rows."""
    monkeypatch.setattr(land, "ACCOUNTS_PER_CHECKPOINT", 4)
    waits: list[float] = []
    _never_sleep(monkeypatch, waits)
    platform = "tiktok"
    uninterrupted, resumed = _home(tmp_path / "a", world), _home(tmp_path / "b", world)
    checkpoint = (resumed.runs / "extract" / f"dt={DAY}" / f"{platform}.checkpoint")
    with running_sandbox(world) as url:
        full = land.land_platform(platform, DAY, uninterrupted, _conn(url, platform))
    with running_sandbox(world, faults=Faults(outage_after=25)) as url:
        with pytest.raises(PlatformError, match="503"):
            land.land_platform(platform, DAY, resumed, _conn(url, platform, max_retries=1))
    assert (checkpoint / "progress.json").exists()
    with running_sandbox(world) as url:
        again = land.land_platform(platform, DAY, resumed, _conn(url, platform))
    assert 0 < again["resumed_accounts"] < full["registered_accounts"]
    assert again["api_calls"] < full["api_calls"]
    assert again["rows"] == full["rows"]
    assert _landed_rows(resumed, platform) == _landed_rows(uninterrupted, platform)
    assert not checkpoint.exists()


def test_a_checkpoint_is_reused_only_for_the_registry_it_was_made_for(world, tmp_path,
                                                                      monkeypatch):
    """An interrupted run, then an account removed from the registry: the rerun starts over,
    and the removed account's rows from the first run do not land."""
    monkeypatch.setattr(land, "ACCOUNTS_PER_CHECKPOINT", 4)
    _never_sleep(monkeypatch, [])
    platform = "tiktok"
    paths = _home(tmp_path, world)
    with running_sandbox(world, faults=Faults(outage_after=25)) as url:
        with pytest.raises(PlatformError, match="503"):
            land.land_platform(platform, DAY, paths, _conn(url, platform, max_retries=1))
    kols = world.kols()
    first = next(k for k in kols if platform in k["accounts"])
    removed = first["accounts"].pop(platform)["account_id"]
    paths.registry.write_text(registry.dump([k for k in kols if k["accounts"]]))
    with running_sandbox(world) as url:
        again = land.land_platform(platform, DAY, paths, _conn(url, platform))
    assert again["resumed_accounts"] == 0
    landed = {row["account_id"] for entity in ("accounts", "posts") for row in pq.read_table(
        files.raw_file(paths, platform, entity, DAY)).to_pylist()}
    assert landed and removed not in landed


def test_bad_token_fails_the_platform_clearly_and_never_shows_the_token(world, tmp_path, caplog):
    paths = _home(tmp_path, world)
    caplog.set_level(logging.DEBUG)
    with running_sandbox(world) as url:
        for platform in PLATFORMS:
            conn = _conn(url, platform)
            conn = Connection(platform, conn.base_url, "wrong-secret-token", conn.extra)
            with pytest.raises(PlatformError) as error:
                land.land_platform(platform, DAY, paths, conn)
            assert f"kol_{platform}" in str(error.value)
            assert "wrong-secret-token" not in str(error.value)
    assert all(t not in caplog.text for t in ["wrong-secret-token", *TOKENS.values()])


def test_rerun_replaces_the_partition(world, clean_run, tmp_path):
    paths = _home(tmp_path, world)
    with running_sandbox(world) as url:
        first = land.land_platform("tiktok", DAY, paths, _conn(url, "tiktok"))
        second = land.land_platform("tiktok", DAY, paths, _conn(url, "tiktok"))
    assert first["rows"] == second["rows"]
    files = list((paths.landing / "raw" / "tiktok" / "posts").rglob("*"))
    assert [f.name for f in files if f.is_file()] == ["part-0.parquet"]
    assert _landed_ids(paths, "tiktok") == _landed_ids(clean_run[0], "tiktok")
    assert not (paths.runs / "extract" / f"dt={DAY}" / "tiktok.checkpoint").exists()


def test_weibo_without_commercial_access_says_so(world, tmp_path):
    paths = _home(tmp_path, world)
    with running_sandbox(world) as url:
        conn = _conn(url, "weibo")
        conn = Connection("weibo", conn.base_url, conn.token, {"sandbox": True})
        with pytest.raises(PlatformError, match="commercial"):
            land.land_platform("weibo", DAY, paths, conn)


def test_a_tenth_of_calls_failing_on_every_platform_loses_no_account_day(world, tmp_path,
                                                                        monkeypatch):
    """About one call in ten is throttled, fails, is cut short, or answers a body that is not
    the API's (HTML, a list, null, {}) or with a corrupt record; retries are few, so some
    accounts and perhaps a platform fail. The creators who consented are read with their
    grants, through the same faults (token refreshes included). Every registered account is
    landed for the day or recorded in the gaps with its reason."""
    from kolpipe.extract import authorized, onboarding
    from kolpipe.extract.grants import ProcessGrants
    from kolpipe.extract.http import ApiClient
    from kolpipe_tools.sandbox import creators

    paths = _home(tmp_path, world)
    paths.registry.write_text(registry.dump(creators.mark_authorized(world, world.kols())))
    waits: list[float] = []
    _never_sleep(monkeypatch, waits)
    for name in authorized.AUTHORIZED_MODULES.values():
        monkeypatch.setattr(f"kolpipe.extract.{name}.ApiClient",
                            partial(ApiClient, sleep=waits.append))
    grants, connected_on = ProcessGrants(), DAY - timedelta(days=1)
    with running_sandbox(world) as url:
        _creator_connections(monkeypatch, url)
        for account in onboarding.authorized_accounts(paths=paths):
            link = onboarding.link(account.platform, account, "https://kolpipe.example/cb")
            code = creators.consent_code(link, account.account_id, connected_on)
            if code:
                onboarding.connect(account.platform, account, code, "https://kolpipe.example/cb",
                                   grants, now=creators.end_of(connected_on))
    assert len(grants.grants) >= 10
    faults = Faults(throttle=0.03, server_error=0.02, truncated=0.02, hostile_body=0.03,
                    bad_record=0.05)
    stopped, quarantined = {}, 0
    with running_sandbox(world, faults=faults) as url:
        _creator_connections(monkeypatch, url)
        for platform in PLATFORMS:
            try:
                quarantined += land.land_platform(
                    platform, DAY, paths, _conn(url, platform, max_retries=2),
                    grants=grants)["quarantined"]
            except PlatformError as exc:
                stopped[platform] = exc.kind
    kols = registry.load(paths.registry)
    registered = {(p, a.account_id) for p in PLATFORMS for a in registry.accounts_for(kols, p)}
    landed = {(p, account_id) for p in PLATFORMS if p not in stopped
              for account_id in _landed_ids(paths, p)["accounts"]}
    gaps = [row for path in sorted(files.gaps_file(paths, "x", DAY).parent.glob("*.parquet"))
            for row in pq.read_table(path).to_pylist()]
    assert registered == landed | {(g["platform"], g["account_id"]) for g in gaps
                                   if not g["first_party_only"]}
    assert all(g["kind"] and g["message"] and g["logical_date"] == DAY for g in gaps)
    assert {g["platform"] for g in gaps if g["platform_failed"]} == set(stopped)
    # every account marked authorized was read with its grant or has a first-party gap
    marked = {(a.platform, a.account_id) for a in onboarding.authorized_accounts(paths=paths)}
    read = {(p, a) for p in PLATFORMS if p not in stopped for a in _read_with_grant(paths, p)}
    assert marked == read | {(g["platform"], g["account_id"]) for g in gaps
                             if g["first_party_only"] or g["platform_failed"]}
    assert read and waits and max(waits) <= 30
    assert quarantined > 0  # the faults did corrupt records
