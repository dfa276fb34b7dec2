"""What production does to the pipeline, on a small sandbox world: BI readers during builds,
reruns and backfills in any order, tasks killed mid-write, a platform outage.

Each pipeline day calls the stages the DAG's tasks call (land the registry, extract every
platform, dbt build, the account gate, dbt build of the gated marts, publish) in this process,
so the test is about data, not the scheduler. dbt's data tests are left out of these builds
(DBT_INDIRECT_SELECTION=empty): they read the warehouse and change nothing in it.
"""

# Over 300 lines on purpose: the in-order and out-of-order histories are module fixtures that
# every test here compares against (a few minutes of dbt builds); split, each file would rebuild
# them.

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from kolpipe import build, gate, land, publish, registry
from kolpipe.core import files
from kolpipe.core.fields import ENTITIES
from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.extract.http import Connection, PlatformError
from kolpipe.validate import freshness
from kolpipe_tools.sandbox.serve import running_sandbox
from kolpipe_tools.sandbox.server import OUR_IG_USER_ID, PREFIX, TOKENS, Faults, connections
from kolpipe_tools.sandbox.world import World

pytestmark = pytest.mark.slow

WORLD = World(12)
D1, D2, D3 = (date(2026, 11, 17) + timedelta(days=i) for i in range(3))
# The days after the in-order run: a crash or an outage on NEXT, the catch-up on AFTER.
NEXT, AFTER = D3 + timedelta(days=1), D3 + timedelta(days=2)
# More history than dbt's lookback (14 days), so a backfill's incremental merge is exercised.
HISTORY = [D1 - timedelta(days=n) for n in range(16, 0, -1)]
MODELS_ONLY = "resource_type:model resource_type:seed"
# What the crash and outage tests look at: the core marts and the freshness mart, with their
# upstream models (the other marts stay as the copied home built them).
CORE_MARTS = "+fct_account_daily +fct_posts +platform_freshness"
# One statement, so one snapshot of one file: what a dashboard tile would show.
SNAPSHOT_SQL = """
    select (select max(observed_date) from marts.fct_account_daily),
           (select count(*) from marts.fct_account_daily),
           (select count(*) from marts.fct_posts),
           (select count(*) from marts.dim_account)"""


@pytest.fixture(scope="module")
def sandbox_env():
    """The sandbox on loopback, its connections in the environment, dbt without tests."""
    with running_sandbox(WORLD) as base_url:
        added = {**connections(base_url), "DBT_INDIRECT_SELECTION": "empty"}
        saved = {name: os.environ.get(name) for name in added}
        os.environ.update(added)
        try:
            yield base_url
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def land_day(day: date, paths: Paths) -> None:
    land.land_registry(day, paths)
    for platform in PLATFORMS:
        land.land_platform(platform, day, paths)


def build_day(day: date, paths: Paths) -> None:
    build.dbt_build(day, paths, select=MODELS_ONLY)
    gate.run_gate(day, paths)
    build.dbt_build(day, paths, select="tag:gated")


def run_day(day: date, paths: Paths) -> None:
    land_day(day, paths)
    build_day(day, paths)
    publish.publish(day, paths)


@pytest.fixture(scope="module")
def history_home(sandbox_env, tmp_path_factory) -> Paths:
    """A registry and 16 landed days before D1, copied into every home below."""
    paths = Paths(tmp_path_factory.mktemp("history"))
    paths.registry.parent.mkdir(parents=True, exist_ok=True)
    paths.registry.write_text(registry.dump(WORLD.kols()), encoding="utf-8")
    for day in HISTORY:
        land_day(day, paths)
    return paths


def fresh_home(source: Paths, tmp_path_factory, name: str) -> Paths:
    target = tmp_path_factory.mktemp(name) / "home"
    shutil.copytree(source.home, target, symlinks=True)
    return Paths(target)


def snapshot(db: Path) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(SNAPSHOT_SQL).fetchone()


def mart_checksums(db: Path) -> dict[str, tuple]:
    """Per mart: its columns and types, and an md5 over its rows in a canonical order."""
    checksums = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name").fetchall()]
        for table in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table]).fetchall()
            digest = con.execute(
                f'select count(*), md5(coalesce(string_agg(cast(t as varchar), chr(10) '
                f'order by cast(t as varchar)), \'\')) from marts."{table}" as t').fetchone()
            checksums[table] = (tuple(columns), *digest)
    return checksums


# A BI tool is another process: duckdb-engine through SQLAlchemy, read-only. "loop" queries
# until told to stop, opening the file anew for every query (NullPool), as a reader must to see
# a newer publish; "hold" keeps one connection open across a publish. DuckDB shares one
# database instance per file within a process, so a process holding any connection keeps
# serving the old file to its new connections too.
READER = r"""
import json, sys, time
from pathlib import Path
import sqlalchemy
from sqlalchemy.pool import NullPool

mode, published, sql = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
engine = sqlalchemy.create_engine(f"duckdb:///{published}", poolclass=NullPool,
                                  connect_args={"read_only": True})
def show(row):
    print(json.dumps([str(value) for value in row]), flush=True)
if mode == "hold":
    with engine.connect() as con:
        show(con.execute(sqlalchemy.text(sql)).one())
        sys.stdin.readline()
        show(con.execute(sqlalchemy.text(sql)).one())
    sys.exit()
while not Path(sys.argv[4]).exists():
    if published.exists():
        try:
            with engine.connect() as con:
                show(con.execute(sqlalchemy.text(sql)).one())
        except Exception as exc:  # any error is a finding: a lock, a half-written file
            print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
    time.sleep(0.02)
"""


def start_reader(mode: str, published: Path, stop_file: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", READER, mode, str(published), SNAPSHOT_SQL,
                             str(stop_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)


def as_seen(state: tuple) -> list[str]:
    return [str(value) for value in state]


@pytest.fixture(scope="module")
def in_order(history_home, tmp_path_factory) -> dict:
    """D1..D3 in order, with a BI reader querying the published file the whole time and a
    second one holding its connection open across the last publish."""
    paths = fresh_home(history_home, tmp_path_factory, "in-order")
    stop_file = paths.home / "stop-reader"
    reader = start_reader("loop", paths.published, stop_file)
    published_states, held = [], None
    try:
        for day in (D1, D2, D3):
            if day == D3:
                held = start_reader("hold", paths.published)
                held_before = json.loads(held.stdout.readline())
            run_day(day, paths)
            published_states.append(snapshot(paths.published))
        held_after, _ = held.communicate("go\n", timeout=60)
    finally:
        stop_file.touch()
        seen, _ = reader.communicate(timeout=60)
        if held is not None and held.poll() is None:
            held.kill()
    seen = [json.loads(line) for line in seen.splitlines()]
    return {"paths": paths, "seen": [row for row in seen if isinstance(row, list)],
            "reader_errors": [row["error"] for row in seen if isinstance(row, dict)],
            "published_states": published_states,
            "held": (held_before, json.loads(held_after)),
            "checksums": mart_checksums(paths.published)}


def test_bi_reader_is_never_blocked_and_sees_whole_warehouses_only(in_order):
    states = in_order["published_states"]
    assert in_order["reader_errors"] == []
    assert len(set(states)) == 3 and [s[0] for s in states] == [D1, D2, D3]
    seen = {tuple(row) for row in in_order["seen"]}
    assert len(in_order["seen"]) > 20
    assert seen <= {tuple(as_seen(s)) for s in states}, seen
    assert len(seen) >= 2, "the reader never saw a swap"


def test_a_reader_holding_its_connection_keeps_the_old_warehouse_until_it_reconnects(in_order):
    before, after = in_order["held"]
    assert before == after == as_seen(in_order["published_states"][1])
    assert snapshot(in_order["paths"].published) == in_order["published_states"][2]


@pytest.fixture(scope="module")
def out_of_order(history_home, tmp_path_factory) -> dict[str, tuple]:
    """D3 first, then D1 and D2 backfilled, then D3 rerun, in a fresh home."""
    paths = fresh_home(history_home, tmp_path_factory, "out-of-order")
    for day in (D3, D1, D2, D3):
        run_day(day, paths)
    return mart_checksums(paths.published)


def test_backfill_in_any_order_and_a_rerun_give_byte_identical_marts(in_order, out_of_order):
    expected = in_order["checksums"]
    assert set(out_of_order) == set(expected) and len(expected) >= 6
    differing = {t for t in expected if out_of_order[t] != expected[t]}
    assert not differing, f"marts differ from the in-order run: {sorted(differing)}"


# --- a task killed with SIGKILL mid-write, then rerun -------------------------------------

# Runs one stage in a child process that SIGKILLs itself at a named point, chosen by wrapping
# the library call the stage makes there: no crash hook in the production code.
KILL_HARNESS = r"""
import os, signal, sys
from datetime import date
from pathlib import Path
from kolpipe import build, land, publish
from kolpipe.core import files
from kolpipe.core.paths import Paths

stage, day, home = sys.argv[1], date.fromisoformat(sys.argv[2]), Paths(Path(sys.argv[3]))

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if stage == "landing":
    # the posts partition is written to its temporary file, not yet renamed into place
    import pyarrow.parquet as pq
    posts_folder = files.raw_file(home, "instagram", "posts", day).parent
    write = pq.write_table
    def write_then_die(table, where, **options):
        write(table, where, **options)
        if Path(where).parent == posts_folder:
            die()
    pq.write_table = write_then_die
    land.land_platform("instagram", day, home)
elif stage == "dbt":
    # inside the incremental fct_account_daily's insert, after other models were rebuilt
    import dbt.cli.main
    class DyingRunner(dbt.cli.main.dbtRunner):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, callbacks=[self.watch], **kwargs)
        def watch(self, event):
            if (event.info.name == "SQLQuery" and "fct_account_daily" in event.data.sql
                    and "insert into" in event.data.sql.lower()):
                die()
    dbt.cli.main.dbtRunner = DyingRunner
    build.dbt_build(day, home, select=sys.argv[4])
elif stage == "publish":
    # the finished copy is staged and exported beside the published file, the swap not done
    replace = os.replace
    def replace_or_die(source, target):
        if Path(target) == home.published:
            die()
        replace(source, target)
    os.replace = replace_or_die
    publish.publish(day, home)
print("NOT KILLED")
"""


def run_killed(stage: str, day: date, paths: Paths) -> None:
    result = subprocess.run([sys.executable, "-c", KILL_HARNESS, stage, day.isoformat(),
                             str(paths.home), CORE_MARTS], env=dict(os.environ),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == -signal.SIGKILL, (stage, result.stdout[-2000:],
                                                  result.stderr[-2000:])


def landed_tables(paths: Paths, platform: str, day: date) -> dict:
    return {entity: pq.read_table(files.raw_file(paths, platform, entity, day))
            for entity in ENTITIES}


def file_md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def temporaries(paths: Paths) -> list[Path]:
    return sorted(p for p in paths.home.rglob("*.tmp") if p.is_file())


def test_sigkill_mid_write_then_rerun_leaves_no_partial_or_duplicate_data(in_order,
                                                                          tmp_path_factory):
    paths = fresh_home(in_order["paths"], tmp_path_factory, "killed")
    old_published = file_md5(paths.published)

    run_killed("landing", NEXT, paths)
    posts_file = files.raw_file(paths, "instagram", "posts", NEXT)
    assert files.raw_file(paths, "instagram", "accounts", NEXT).exists()
    assert not posts_file.exists()
    assert [p.parent for p in temporaries(paths)] == [posts_file.parent]
    land_day(NEXT, paths)  # the rerun of the day
    assert temporaries(paths) == []
    clean = Paths(tmp_path_factory.mktemp("clean-landing") / "home")
    clean.registry.parent.mkdir(parents=True)
    shutil.copyfile(paths.registry, clean.registry)
    land.land_platform("instagram", NEXT, clean)
    rerun = landed_tables(paths, "instagram", NEXT)
    unkilled = landed_tables(clean, "instagram", NEXT)
    for entity, table in rerun.items():
        assert table.equals(unkilled[entity]), entity
    posts = rerun["posts"]
    assert posts.num_rows == len(set(posts.column("id").to_pylist())) > 0

    run_killed("dbt", NEXT, paths)
    assert file_md5(paths.published) == old_published
    build.dbt_build(NEXT, paths, select=CORE_MARTS)

    run_killed("publish", NEXT, paths)
    assert file_md5(paths.published) == old_published
    assert [p.parent for p in temporaries(paths)] == [paths.published.parent]
    publish.publish(NEXT, paths)
    assert temporaries(paths) == []
    assert snapshot(paths.published)[0] == NEXT
    assert mart_checksums(paths.published) == mart_checksums(paths.warehouse)
    landed_accounts = sum(landed_tables(paths, p, NEXT)["accounts"].num_rows for p in PLATFORMS)
    with duckdb.connect(str(paths.published), read_only=True) as con:
        account_days = con.execute(
            "select count(*), count(distinct (account_key, observed_date)), "
            "count(*) filter (where observed_date = ?) from marts.fct_account_daily",
            [NEXT]).fetchone()
        posts = con.execute("select count(*), count(distinct (platform, post_id)) "
                            "from marts.fct_posts").fetchone()
    assert account_days[0] == account_days[1] and account_days[2] == landed_accounts > 0
    assert posts[0] == posts[1] > 0


# --- a platform outage for a day ----------------------------------------------------------

def platform_freshness(paths: Paths) -> dict[str, tuple]:
    with duckdb.connect(str(paths.published), read_only=True) as con:
        rows = con.execute("select platform, as_of_date, last_landed_date, is_stale, stale_since "
                           "from marts.platform_freshness").fetchall()
    return {row[0]: row[1:] for row in rows}


def instagram_posts_published_on(paths: Paths, day: date) -> set[str]:
    with duckdb.connect(str(paths.published), read_only=True) as con:
        return {post_id for (post_id,) in con.execute(
            "select post_id from marts.fct_posts where platform = 'instagram' "
            "and published_date = ?", [day]).fetchall()}


def test_a_platform_outage_fails_that_platform_only_marks_it_stale_and_is_caught_up(
        in_order, tmp_path_factory):
    paths = fresh_home(in_order["paths"], tmp_path_factory, "outage")
    with running_sandbox(WORLD, faults=Faults(server_error=1.0)) as down_url:
        down = Connection("instagram", down_url + PREFIX["instagram"], TOKENS["instagram"],
                          {"sandbox": True, "ig_user_id": OUR_IG_USER_ID, "max_retries": 2})
        land.land_registry(NEXT, paths)
        with pytest.raises(PlatformError, match="HTTP 503, still failing after 3 attempts"):
            land.land_platform("instagram", NEXT, paths, conn=down)
    for platform in PLATFORMS[1:]:
        land.land_platform(platform, NEXT, paths)
    assert not files.raw_file(paths, "instagram", "accounts", NEXT).exists()
    # The task states raw_ready sees in that run: instagram's extract failed (its check never
    # ran), the other platforms extracted and passed their checks.
    states = {"extract_instagram": "failed", "check_raw_instagram": "upstream_failed",
              **{f"{task}_{p}": "success" for p in PLATFORMS[1:]
                 for task in ("extract", "check_raw")}}
    ready = freshness.raw_ready(NEXT, states, paths)
    assert ready["stale"] == {"instagram": "failed"} and ready["landed"] == list(PLATFORMS[1:])
    assert json.loads((paths.runs / "freshness" / f"dt={NEXT}.json").read_text()) == ready
    build.dbt_build(NEXT, paths, select=CORE_MARTS)
    publish.publish(NEXT, paths)

    stale = platform_freshness(paths)
    assert stale["instagram"] == (NEXT, D3, True, NEXT)
    assert all(stale[p] == (NEXT, NEXT, False, None) for p in PLATFORMS[1:])
    assert instagram_posts_published_on(paths, NEXT) == set()

    land_day(AFTER, paths)
    build.dbt_build(AFTER, paths, select=CORE_MARTS)
    publish.publish(AFTER, paths)
    assert all(row == (AFTER, AFTER, False, None) for row in platform_freshness(paths).values())
    # Real APIs serve today's state only: the missed day's posts arrive with the next day's
    # recent posts; the missed day's follower snapshot stays a gap, never a made-up number.
    extracted = set(pq.read_table(files.raw_file(paths, "instagram", "accounts", AFTER))
                    .column("account_id").to_pylist())
    truth = {post.post_id for account in WORLD.accounts
             if account.platform == "instagram" and account.user_id in extracted
             for post in account.posts_published_on(NEXT)
             if post.deleted_on is None or post.deleted_on > AFTER}
    assert truth and instagram_posts_published_on(paths, NEXT) == truth
    with duckdb.connect(str(paths.published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_account_daily where platform = "
                           "'instagram' and observed_date = ?", [NEXT]).fetchone() == (0,)
