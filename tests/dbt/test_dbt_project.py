"""The dbt project end to end on a small hand-made landing zone whose marts can be computed by
hand: fixed-age selection, publication-day followers, engagements with a hidden component,
disclosure tags, tiers, and a daily run on a new day that equals a full rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kolpipe.core.fields import REGISTRY_SCHEMA, entities, schema
from kolpipe.core.paths import PLATFORMS

pytestmark = pytest.mark.slow

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(10)]
MART_TABLES = ("dim_account", "dim_kol", "fct_posts", "fct_account_daily", "kol_performance",
               "kol_cross_platform")


def _at(d: date, hour: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def _landing_rows(d: date) -> dict[tuple[str, str], list[dict]]:
    """Every landed row of logical date d, by (platform, entity)."""
    audit = {"logical_date": d, "extracted_at": _at(d + timedelta(days=1), 1), "raw_payload": "{}"}
    day = (d - DAYS[0]).days
    rows: dict[tuple[str, str], list[dict]] = {(p, e): [] for p in PLATFORMS
                                               for e in entities(p)}
    rows["instagram", "accounts"].append(
        {"account_id": "ig1", "username": "vet_anna", "followers_count": 10_000 + 100 * day,
         "follows_count": 300, "media_count": 40, **audit})
    if d != date(2026, 3, 3):  # a missed snapshot: the x post of 03-03 falls back to 03-02
        rows["x", "accounts"].append(
            {"account_id": "x1", "username": "vet_anna", "followers_count": 2_000,
             "following_count": 100, "tweet_count": 900, **audit})
    # renamed for four days: three profile versions (see the profile history test)
    tiktok_handle = "books_by_bea" if date(2026, 3, 5) <= d <= date(2026, 3, 8) else "book_club"
    rows["tiktok", "accounts"].append(
        {"account_id": "tt1", "username": tiktok_handle, "follower_count": 500,
         "following_count": 20, "video_count": 12, **audit})

    posts = [  # (platform, post_id, account_id, published, caption)
        ("instagram", "ig_p1", "ig1", date(2026, 3, 1), "new clinic opening #AD"),
        ("instagram", "ig_p2", "ig1", date(2026, 3, 5), "#adventure time with a gecko"),
        ("x", "x_p1", "x1", date(2026, 3, 3), "与品牌合作的新视频"),
    ]
    for platform, post_id, account_id, published, caption in posts:
        if d < published:
            continue
        age = (d - published).days
        time_field = {"instagram": "timestamp", "x": "created_at"}[platform]
        text_field = {"instagram": "caption", "x": "text"}[platform]
        rows[platform, "posts"].append({"account_id": account_id, "id": post_id,
                                        time_field: _at(published, 10), text_field: caption,
                                        **audit})
        if post_id == "ig_p1":
            metrics = {"like_count": 10 * (age + 1), "comments_count": age + 1, "view_count": None}
        elif post_id == "ig_p2":
            metrics = {"like_count": None, "comments_count": 5, "view_count": 400}  # likes hidden
        else:
            metrics = {"like_count": 100, "reply_count": 10, "retweet_count": 5,
                       "bookmark_count": 3, "quote_count": 2, "impression_count": 1_200}
        rows[platform, "post_metrics"].append({"account_id": account_id, "id": post_id,
                                               **metrics, **audit})
    return rows


def _write_landing(root: Path, days: list[date] = DAYS) -> None:
    registry = [("kol_a", "Dr Anna", "pets", "en", "instagram", "ig1", "vet_anna", "public"),
                ("kol_a", "Dr Anna", "pets", "en", "x", "x1", "vet_anna", "public"),
                ("kol_b", "Book Club", "education", "en", "tiktok", "tt1", "book_club",
                 "authorized")]
    for d in days:
        dt = f"dt={d.isoformat()}"
        for (platform, entity), rows in _landing_rows(d).items():
            path = root / "raw" / platform / entity / dt
            path.mkdir(parents=True)
            pq.write_table(pa.Table.from_pylist(rows, schema=schema(platform, entity)),
                           path / "part-0.parquet")
        path = root / "raw" / "registry" / "accounts" / dt
        path.mkdir(parents=True)
        names = [f.name for f in REGISTRY_SCHEMA]
        table = pa.Table.from_pylist([dict(zip(names, r + (d,), strict=True)) for r in registry],
                                     schema=REGISTRY_SCHEMA)
        pq.write_table(table, path / "part-0.parquet")


def _dbt_build(run_dbt, tmp: Path, *args: str) -> None:
    run_dbt(tmp, tmp / "landing", tmp / "warehouse.duckdb", "build", *args)


def _marts(tmp: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True) as con:
        return {t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr)
                for t in MART_TABLES}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, run_dbt) -> Path:
    tmp = tmp_path_factory.mktemp("dbt")
    _write_landing(tmp / "landing")
    _dbt_build(run_dbt, tmp)
    return tmp


def _query(tmp: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_posts_are_measured_at_a_fixed_age(warehouse: Path) -> None:
    rows = _query(warehouse, """
        select post_id, metrics_observed_date, is_immature, likes, comments, engagements,
               followers_at_publication, followers_observed_date,
               is_followers_at_publication_estimated, is_sponsored
        from marts.fct_posts order by post_id""")
    assert rows == [
        # age 7 on 03-08: 80 likes + 8 comments; the publication day's snapshot has 10,000
        ("ig_p1", date(2026, 3, 8), False, 80, 8, 88, 10_000, date(2026, 3, 1), False, True),
        # hidden likes: engagements unknown; 5 days old on the last date: immature
        ("ig_p2", date(2026, 3, 10), True, None, 5, None, 10_400, date(2026, 3, 5), False, False),
        # no account snapshot on 03-03: the nearest earlier one (03-02) gives an estimate
        ("x_p1", date(2026, 3, 10), False, 100, 10, 120, 2_000, date(2026, 3, 2), True, True),
    ]


def test_engagement_rates(warehouse: Path) -> None:
    rows = dict((r[0], r[1:]) for r in _query(warehouse, """
        select post_id, engagement_rate_by_followers, engagement_rate_by_views
        from marts.fct_posts"""))
    assert rows["ig_p1"] == (pytest.approx(0.0088), None)  # images have no views
    assert rows["ig_p2"] == (None, None)
    assert rows["x_p1"] == (pytest.approx(0.06), pytest.approx(0.1))


def test_dimensions(warehouse: Path) -> None:
    accounts = _query(warehouse, """
        select account_key, kol_id, followers, tier from marts.dim_account order by 1""")
    assert accounts == [("instagram:ig1", "kol_a", 10_900, "micro"),
                        ("tiktok:tt1", "kol_b", 500, "sub_nano"),
                        ("x:x1", "kol_a", 2_000, "nano")]
    kols = _query(warehouse,
                  "select kol_id, platforms, platform_count from marts.dim_kol order by 1")
    assert kols == [("kol_a", "instagram,x", 2), ("kol_b", "tiktok", 1)]


def test_monthly_performance(warehouse: Path) -> None:
    rows = _query(warehouse, """
        select platform, reach, follower_growth, posts_published, sponsored_posts, engagements
        from marts.kol_performance
        where kol_id = 'kol_a' and period_grain = 'month' order by platform""")
    assert rows == [("instagram", 10_900, 900, 2, 1, 88), ("x", 2_000, 0, 1, 1, 120)]


def test_a_daily_run_on_a_new_day_equals_a_full_rebuild(run_dbt, tmp_path: Path) -> None:
    """The incremental path with new input: a warehouse built up to the day before, then the
    daily run of the last day (a post reaches its fixed age, a snapshot is missed, a rename
    ends), has the marts of a full rebuild over the same landing."""
    daily = tmp_path / "daily"
    _write_landing(daily / "landing", DAYS[:-1])
    _dbt_build(run_dbt, daily, "--vars", f"{{logical_date: '{DAYS[-2]}'}}")
    before_the_new_day = _marts(daily)
    _write_landing(daily / "landing", DAYS[-1:])
    _dbt_build(run_dbt, daily, "--vars", f"{{logical_date: '{DAYS[-1]}', lookback_days: 3}}")
    full = tmp_path / "full"
    _write_landing(full / "landing")
    _dbt_build(run_dbt, full, "--vars", f"{{logical_date: '{DAYS[-1]}'}}", "--full-refresh")
    assert _marts(daily) != before_the_new_day  # the new day changed the marts
    assert _marts(daily) == _marts(full)


def test_a_daily_run_tests_the_dates_it_recomputed_and_a_manual_build_tests_all(
        warehouse: Path, run_dbt, tmp_path: Path) -> None:
    """A duplicate account-day planted before the recomputed window (logical date minus
    lookback_days) fails the uniqueness test of a manual run, not a daily run's; one inside the
    window fails both."""
    def uniqueness_test(planted_on: date, *args: str) -> int:
        db = tmp_path / f"planted_{planted_on}.duckdb"
        db.write_bytes((warehouse / "warehouse.duckdb").read_bytes())
        with duckdb.connect(str(db)) as con:
            con.execute("insert into intermediate.int_accounts_unioned select * from "
                        "intermediate.int_accounts_unioned where observed_date = ? "
                        "and platform = 'instagram'", [planted_on])
        return run_dbt(tmp_path, warehouse / "landing", db, "test", "--select",
                       "int_accounts_unioned,test_name:unique_combination_of_columns", *args,
                       check=False).returncode

    daily = ("--vars", f"{{logical_date: '{DAYS[-1]}', lookback_days: 3}}")
    assert uniqueness_test(DAYS[0]) == 1
    assert uniqueness_test(DAYS[0], *daily) == 0
    assert uniqueness_test(DAYS[-2], *daily) == 1


def test_a_daily_run_recomputes_only_from_its_cutoff(warehouse: Path, run_dbt,
                                                      tmp_path: Path) -> None:
    """A daily run rewrites the rows dated from its logical date minus lookback_days on and
    leaves older rows as they are (so its cost does not grow with history): a row altered
    before the cutoff stays altered, one altered after it is recomputed from the landing."""
    db = tmp_path / "altered.duckdb"
    db.write_bytes((warehouse / "warehouse.duckdb").read_bytes())
    altered = "update intermediate.int_accounts_unioned set followers = -1 where observed_date = ?"
    with duckdb.connect(str(db)) as con:
        for day in (DAYS[0], DAYS[-1]):
            con.execute(altered, [day])
    run_dbt(tmp_path, warehouse / "landing", db, "run", "--select", "int_accounts_unioned",
            "--vars", f"{{logical_date: '{DAYS[-1]}', lookback_days: 3}}")
    with duckdb.connect(str(db), read_only=True) as con:
        followers = dict(con.execute(
            "select observed_date, min(followers) from intermediate.int_accounts_unioned "
            "where observed_date in (?, ?) group by observed_date", [DAYS[0], DAYS[-1]]).fetchall())
    assert followers[DAYS[0]] == -1
    assert followers[DAYS[-1]] > 0


def test_profile_history_continues_the_version_in_force(warehouse: Path, run_dbt,
                                                      tmp_path: Path) -> None:
    """tt1 is book_club to 03-04, books_by_bea 03-05..03-08 and book_club again from 03-09.
    A daily run for 03-10 with a 3-day lookback (cutoff 03-07) keeps the versions begun before
    the cutoff from the table (one altered there stays altered), continues version 2 and
    rebuilds version 3 (deleted here) from the snapshots."""
    history = """select profile_version, handle, valid_from, valid_to, last_observed_date,
                        is_current
                 from intermediate.int_account_profiles_historized
                 where account_key = 'tiktok:tt1' order by profile_version"""
    versions = [(1, "book_club", DAYS[0], DAYS[4], DAYS[3], False),
                (2, "books_by_bea", DAYS[4], DAYS[8], DAYS[7], False),
                (3, "book_club", DAYS[8], None, DAYS[9], True)]
    assert _query(warehouse, history) == versions
    db = tmp_path / "profiles.duckdb"
    db.write_bytes((warehouse / "warehouse.duckdb").read_bytes())
    with duckdb.connect(str(db)) as con:
        con.execute("update intermediate.int_account_profiles_historized set handle = 'altered' "
                    "where account_key = 'tiktok:tt1' and profile_version = 1")
        con.execute("delete from intermediate.int_account_profiles_historized "
                    "where account_key = 'tiktok:tt1' and profile_version = 3")
    run_dbt(tmp_path, warehouse / "landing", db, "run", "--select",
            "int_account_profiles_historized",
            "--vars", f"{{logical_date: '{DAYS[-1]}', lookback_days: 3}}")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(history).fetchall() == [(1, "altered", *versions[0][2:]),
                                                    *versions[1:]]


def test_a_malformed_logical_date_is_refused_by_name(warehouse: Path, run_dbt,
                                                      tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    db.write_bytes((warehouse / "warehouse.duckdb").read_bytes())
    result = run_dbt(tmp_path, warehouse / "landing", db, "run", "--select",
                     "int_accounts_unioned", "--vars", "{logical_date: 'yesterday'}", check=False)
    assert result.returncode != 0
    assert "var logical_date must be a date as YYYY-MM-DD" in result.stdout
    assert "'yesterday'" in result.stdout
