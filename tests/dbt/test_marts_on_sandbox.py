"""The warehouse on a small sandbox landing zone (12 KOLs, 32 days, landed through the real
extraction code): daily incremental runs, one of them a backfill of a missed date, equal a
full refresh row for row; one KOL's engagement
rate and follower growth recomputed from the landed Parquet with plain DuckDB equal the marts;
`dbt docs generate` and `dbt source freshness` work; a BI tool reads the marts through
SQLAlchemy (duckdb-engine, read-only).

The creators who consented are read with their grants, so the first-party models are compared
too. The module fixture lands the zone once and runs dbt five times; the tests run it twice
more."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from kolpipe import land, registry
from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.extract import onboarding
from kolpipe.extract.grants import ProcessGrants
from kolpipe_tools.sandbox import creators
from kolpipe_tools.sandbox.serve import running_sandbox
from kolpipe_tools.sandbox.server import connections
from kolpipe_tools.sandbox.world import World

pytestmark = pytest.mark.slow

END = date(2026, 11, 22)
DAYS = [END - timedelta(days=n) for n in reversed(range(32))]
# The first run builds DAYS[:-2] except BACKFILLED; then one run per date, as the daily DAG
# does: the next day, a backfill of the date missed 11 days earlier, the last day.
BACKFILLED = DAYS[-12]
DAILY_RUNS = [DAYS[-2], BACKFILLED, DAYS[-1]]
MARTS = ("dim_account", "dim_kol", "fct_posts", "fct_account_daily", "kol_performance",
         "kol_cross_platform")
INCREMENTAL_INTERMEDIATE = tuple(f"intermediate.{model}" for model in (
    "int_accounts_unioned", "int_post_metrics_unioned", "int_posts_unioned",
    "int_account_days_with_growth", "int_posts_at_fixed_age", "int_follower_changes_scored",
    "int_engagement_signals_daily", "int_engagement_uniformity_daily",
    "int_account_signals_daily", "int_accounts_latest", "int_account_period_performance"))


@dataclass(frozen=True)
class Runs:
    work: Path
    landing: Path
    incremental: Path  # warehouse built by daily runs
    full: Path  # warehouse built by one --full-refresh over the same landing zone


def _land(paths: Paths, days: list[date], grants: ProcessGrants) -> None:
    for day in days:
        land.land_registry(day, paths)
        for platform in PLATFORMS:
            land.land_platform(platform, day, paths, grants=grants)


def _connect_creators(paths: Paths, day: date) -> ProcessGrants:
    """The registry's authorized creators accept the consent page on the first day."""
    grants = ProcessGrants()
    for account in onboarding.authorized_accounts(paths=paths):
        link = onboarding.link(account.platform, account, "https://kolpipe.example/cb")
        code = creators.consent_code(link, account.account_id, day)
        if code:
            onboarding.connect(account.platform, account, code, "https://kolpipe.example/cb",
                               grants, now=creators.end_of(day))
    return grants


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, run_dbt) -> Runs:
    work = tmp_path_factory.mktemp("sandbox_marts")
    paths = Paths(work)
    world = World(12)
    paths.registry.parent.mkdir(parents=True)
    paths.registry.write_text(registry.dump(creators.mark_authorized(world, world.kols())),
                              encoding="utf-8")
    incremental, full = work / "incremental.duckdb", work / "full.duckdb"
    with pytest.MonkeyPatch.context() as env, running_sandbox(world) as url:
        env.setenv("KOLPIPE_REGISTRY", str(paths.registry))
        for name, value in connections(url).items():
            env.setenv(name, value)
        grants = _connect_creators(paths, DAYS[0])
        assert grants.grants  # the first-party models are built from creators' data too
        _land(paths, [day for day in DAYS[:-2] if day != BACKFILLED], grants)
        # data tests run once, in the full-refresh build below
        run_dbt(work, paths.landing, incremental, "build", "--exclude-resource-type", "test",
                "--exclude-resource-type", "unit_test", "--vars", f"{{logical_date: '{DAYS[-3]}'}}")
        for day in DAILY_RUNS:  # land the date, then build for it
            _land(paths, [day], grants)
            run_dbt(work, paths.landing, incremental, "run", "--vars", f"{{logical_date: '{day}'}}")
    run_dbt(work, paths.landing, full, "build", "--full-refresh")
    return Runs(work, paths.landing, incremental, full)


def _tables(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Rows and an order-free checksum of every table in the marts and intermediate schemas
    (the intermediate tables are incremental too)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'intermediate') and table_type = 'BASE TABLE' "
            "order by 1, 2").fetchall()]
        return {name: con.execute(
            f"select count(*), md5(coalesce(string_agg(md5(cast(t as varchar)), '' "
            f"order by md5(cast(t as varchar))), '')) from {name} as t").fetchone()
            for name in names}


def test_daily_runs_and_a_backfill_equal_a_full_refresh(runs: Runs) -> None:
    incremental, full = _tables(runs.incremental), _tables(runs.full)
    assert {f"marts.{mart}" for mart in MARTS} <= set(full)
    assert set(INCREMENTAL_INTERMEDIATE) <= set(full)
    assert all(full[table][0] > 0 for table in [*(f"marts.{mart}" for mart in MARTS),
                                                 *INCREMENTAL_INTERMEDIATE]), full
    differing = {name: (incremental.get(name), full[name]) for name in full
                 if incremental.get(name) != full[name]}
    assert not differing, f"daily runs differ from --full-refresh: {differing}"


def test_incremental_tables_are_stored_in_date_order(runs: Runs) -> None:
    """cluster_by: a day's read of the recent dates skips older row groups only if the rows
    are stored in order of the date it filters on (the model's tested_date_column)."""
    manifest = json.loads((runs.work / "target" / "manifest.json").read_text())
    dated = {f"{node['schema']}.{node['name']}": node["config"]["meta"]["tested_date_column"]
             for node in manifest["nodes"].values()
             if node["resource_type"] == "model"
             and node["config"]["materialized"] == "incremental"
             and "tested_date_column" in node["config"]["meta"]}
    assert len(dated) >= 12, dated
    with duckdb.connect(str(runs.full), read_only=True) as con:
        out_of_order = {table: con.execute(f"""
            select count(*) filter (where {column} < previous), count(distinct {column})
            from (select {column}, lag({column}) over (order by rowid) as previous
                  from {table})""").fetchone()
            for table, column in dated.items()}
    assert all(dates > 1 for _, dates in out_of_order.values()), out_of_order
    assert {table: rows for table, (rows, _) in out_of_order.items() if rows} == {}


def _landed(landing: Path, platform: str, entity: str) -> str:
    return f"read_parquet('{landing}/raw/{platform}/{entity}/dt=*/*.parquet')"


def _instagram_account(con: duckdb.DuckDBPyConnection, landing: Path) -> str:
    """An Instagram account of a KOL, observed every day, with visible likes and posts in the
    last 30 days (so every rate in the window has its publication-day snapshot)."""
    return con.execute(f"""
        select accounts.account_id
        from {_landed(landing, 'instagram', 'accounts')} as accounts
        group by accounts.account_id
        having count(distinct accounts.logical_date) = {len(DAYS)}
           and accounts.account_id in (
               select account_id from {_landed(landing, 'instagram', 'post_metrics')}
               group by account_id
               having bool_and(coalesce(like_count >= 0 and comments_count >= 0, false))
                  and count(*) > 20)
        order by accounts.account_id limit 1""").fetchone()[0]


def test_engagement_rate_and_growth_recomputed_from_landed_parquet(runs: Runs) -> None:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    account_id = _instagram_account(con, runs.landing)
    # Fixed age 7: the first observation at least 7 days after the UTC publication date, else
    # the latest; engagements on Instagram = likes + comments; divided by the followers of the
    # account snapshot of the publication date.
    expected_rates = con.execute(f"""
        with posts as (
            select id, cast(timezone('UTC', min("timestamp")) as date) as published_date
            from {_landed(runs.landing, 'instagram', 'posts')}
            where account_id = $account group by id
        ),
        observations as (
            select metrics.id, metrics.logical_date, metrics.like_count + metrics.comments_count
                       as engagements,
                   metrics.logical_date - posts.published_date as age
            from {_landed(runs.landing, 'instagram', 'post_metrics')} as metrics
            join posts using (id)
        ),
        at_fixed_age as (
            select id, coalesce(min(logical_date) filter (where age >= 7), max(logical_date))
                       as logical_date
            from observations group by id
        )
        select posts.id, posts.published_date,
               observations.engagements / accounts.followers_count as rate
        from posts
        join at_fixed_age using (id)
        join observations using (id, logical_date)
        join {_landed(runs.landing, 'instagram', 'accounts')} as accounts
          on accounts.account_id = $account and accounts.logical_date = posts.published_date
        """, {"account": account_id}).fetchall()
    followers = dict(con.execute(f"""
        select logical_date, followers_count from {_landed(runs.landing, 'instagram', 'accounts')}
        where account_id = ?""", [account_id]).fetchall())
    window = [rate for _, published, rate in expected_rates if END - timedelta(29) <= published]
    assert len(window) >= 5

    with duckdb.connect(str(runs.incremental), read_only=True) as mart:
        post_rates = dict(mart.execute(
            "select post_id, engagement_rate_by_followers from marts.fct_posts "
            "where platform = 'instagram' and account_id = ?", [account_id]).fetchall())
        daily = mart.execute("""
            select followers, follower_growth_1d, follower_growth_7d, follower_growth_30d,
                   follower_growth_rel_30d, engagement_rate_by_followers_median_30d,
                   engagement_rate_by_followers_mean_30d, posts_with_rate_30d
            from marts.fct_account_daily
            where platform = 'instagram' and account_id = ? and observed_date = ?""",
            [account_id, END]).fetchone()
        monthly_median = mart.execute("""
            select performance.engagement_rate_by_followers_median
            from marts.kol_performance as performance
            join marts.dim_account as account using (account_key)
            where account.platform = 'instagram' and account.account_id = ?
              and period_grain = 'month' and period_start = ?""",
            [account_id, END.replace(day=1)]).fetchone()[0]

    for post_id, _, rate in expected_rates:
        assert post_rates[post_id] == pytest.approx(rate), post_id
    month = [rate for _, published, rate in expected_rates if published >= END.replace(day=1)]
    assert monthly_median == pytest.approx(_median(month))
    assert daily == (
        followers[END],
        followers[END] - followers[END - timedelta(1)],
        followers[END] - followers[END - timedelta(7)],
        followers[END] - followers[END - timedelta(30)],
        pytest.approx((followers[END] - followers[END - timedelta(30)])
                      / followers[END - timedelta(30)]),
        pytest.approx(_median(window)),
        pytest.approx(sum(window) / len(window)),
        len(window),
    )


def _median(values: list[float]) -> float:
    ordered, middle = sorted(values), len(values) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def test_docs_generate_documents_every_mart_column(runs: Runs, run_dbt) -> None:
    run_dbt(runs.work, runs.landing, runs.full, "docs", "generate")
    catalog = json.loads((runs.work / "target" / "catalog.json").read_text())
    manifest = json.loads((runs.work / "target" / "manifest.json").read_text())
    for mart in MARTS:
        node = manifest["nodes"][f"model.kol.{mart}"]
        built = catalog["nodes"][f"model.kol.{mart}"]["columns"]
        assert node["config"]["contract"]["enforced"]
        undocumented = [c for c in built if not node["columns"].get(c, {}).get("description")]
        assert not undocumented, f"{mart}: {undocumented}"


def test_source_freshness_reads_the_extraction_time(runs: Runs, run_dbt) -> None:
    # Whether the sources pass depends on today's date; what they measure does not: the newest
    # extraction time landed (the registry carries its logical date instead).
    run_dbt(runs.work, runs.landing, runs.full, "source", "freshness", check=False)
    results = json.loads((runs.work / "target" / "sources.json").read_text())["results"]
    measured = {r["unique_id"]: datetime.fromisoformat(r["max_loaded_at"]) for r in results}
    expected = {"source.kol.registry.accounts": datetime.combine(END, datetime.min.time(), UTC)}
    with duckdb.connect() as con:
        for platform in PLATFORMS:
            for entity in ("accounts", "posts", "post_metrics"):
                newest = con.execute(f"select max(extracted_at) from "
                                     f"{_landed(runs.landing, platform, entity)}").fetchone()[0]
                expected[f"source.kol.{platform}.{entity}"] = newest.astimezone(UTC)
    assert measured == expected
    assert expected["source.kol.instagram.accounts"] == datetime.combine(
        END + timedelta(1), datetime.min.time(), UTC)


def test_bi_tools_read_the_marts_through_sqlalchemy(runs: Runs) -> None:
    from sqlalchemy import create_engine, inspect, text

    with duckdb.connect(str(runs.full), read_only=True) as con:
        expected = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0]
                    for m in MARTS}
    engine = create_engine(f"duckdb:///{runs.full}", connect_args={"read_only": True})
    try:
        assert set(MARTS) <= set(inspect(engine).get_table_names(schema="marts"))
        with engine.connect() as bi:
            # Column reflection (inspector.get_columns) fails with SQLAlchemy >= 2.0.45 and
            # duckdb-engine 0.17 (no pg_catalog.pg_collation, duckdb_engine#1391); the SQL
            # standard catalog works.
            columns = {m: list(bi.execute(text(
                "select column_name from information_schema.columns where table_schema = "
                "'marts' and table_name = :mart order by ordinal_position"), {"mart": m}).scalars())
                for m in MARTS}
            counts = {m: bi.execute(text(f"select count(*) from marts.{m}")).scalar_one()
                      for m in MARTS}
            kol = bi.execute(text("select kol_id, niche, platforms, lifecycle_stage "
                                  "from marts.dim_kol order by kol_id limit 1")).mappings().one()
    finally:
        engine.dispose()
    assert counts == expected and all(counts.values())
    assert columns["dim_kol"][:2] == ["kol_id", "display_name"]
    assert {"instagram_tier", "x_lifecycle_stage", "lifecycle_stage"} <= set(columns["dim_kol"])
    assert {"engagement_rate_by_followers_median_30d", "posts_per_week_30d",
            "follower_growth_rel_7d"} <= set(columns["fct_account_daily"])
    assert kol["kol_id"] == "kol_00001" and kol["platforms"]
    assert kol["lifecycle_stage"] in {"new", "growing", "stable", "declining", "dormant",
                                      "churned", None}
