"""The measured stages. Each runs in its own process (see run.py), so its peak memory is its own;
each returns a dict of figures that the parent merges into the report."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from kolpipe.core.paths import PROJECT_ROOT, Paths
from kolpipe.core.progress import progress as shared_progress
from kolpipe_tools.bench.extraction import extraction


def progress(message: str) -> None:
    """Stage progress, one level under the bench's own lines."""
    shared_progress(message, level=1)


# --- 1. the landing zone -------------------------------------------------------------------

def generate(params: dict) -> dict:
    from kolpipe_tools.bench.generate import WorldSize, cached_landing

    size = WorldSize(params["accounts"], params["days"], date.fromisoformat(params["end"]))
    started = time.monotonic()
    root, manifest, cached = cached_landing(size, Path(params["cache"]), progress,
                                            params["memory_limit"])
    return {"root": str(root), "cached": cached, "manifest": manifest,
            "seconds": round(time.monotonic() - started, 2)}


def link_landing(source: Path, home: Path, first: date, last: date) -> Paths:
    """A bench home whose landing zone holds the cached partitions of [first, last], hard-linked
    (no copy: a year of history is a few GB). Any earlier state of the home is removed."""
    shutil.rmtree(home, ignore_errors=True)
    paths = Paths(home)
    add_days(source, paths, first, last)
    return paths


def add_days(source: Path, paths: Paths, first: date, last: date) -> int:
    linked = 0
    for table_dir in [*source.glob("raw/*/*"), *source.glob("quarantine/*")]:
        relative = table_dir.relative_to(source)
        day = first
        while day <= last:
            partition = table_dir / f"dt={day.isoformat()}"
            if partition.exists():
                target = paths.landing / relative / partition.name
                target.mkdir(parents=True, exist_ok=True)
                for file in partition.iterdir():
                    if not (target / file.name).exists():
                        os.link(file, target / file.name)
                        linked += 1
            day += timedelta(days=1)
    return linked


def empty_landing(source: Path, home: Path, day: date) -> Paths:
    """A landing zone with one empty partition per table (schema, no rows): dbt parses,
    connects, creates every model and runs every test, on no data."""
    import pyarrow.parquet as pq

    shutil.rmtree(home, ignore_errors=True)
    paths = Paths(home)
    for table_dir in [*source.glob("raw/*/*"), *source.glob("quarantine/*")]:
        template = next(table_dir.glob("dt=*/part-0.parquet"))
        schema = pq.read_schema(template)
        target = paths.landing / table_dir.relative_to(source) / f"dt={day.isoformat()}"
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(schema.empty_table(), target / "part-0.parquet")
    return paths


# --- 2. the floor --------------------------------------------------------------------------

def floor_queries(landing: Path) -> dict[str, str]:
    """Every landed table read once, every column but the raw payload touched, aggregated by
    account and day: the least work any warehouse build over this landing has to do."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    queries = {}
    for table_dir in sorted(landing.glob("raw/*/*")):
        template = next(table_dir.glob("dt=*/*.parquet"))
        measures = ["count(*) as row_count"]
        for field in pq.read_schema(template):
            name = f'"{field.name}"'
            if field.name in ("account_id", "logical_date", "raw_payload"):
                continue
            if pa.types.is_integer(field.type) or pa.types.is_floating(field.type):
                measures.append(f"sum({name})")
            elif pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
                measures.append(f"max({name})")
            else:
                measures.append(f"count({name})")
        queries[f"{table_dir.parent.name}/{table_dir.name}"] = (
            f"select sum(row_count), count(*) from (select account_id, logical_date, "
            f"{', '.join(measures)} from read_parquet('{table_dir}/dt=*/*.parquet', "
            f"union_by_name = true, hive_partitioning = false) group by account_id, logical_date)")
    return queries


def floor(params: dict) -> dict:
    import duckdb

    landing = Path(params["landing"])
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{params['memory_limit']}'; set threads = "
                f"{params['threads']}; set preserve_insertion_order = false")
    queries = floor_queries(landing)
    rows = groups = 0
    started = time.monotonic()
    for sql in queries.values():
        table_rows, table_groups = con.execute(sql).fetchone()
        rows += int(table_rows or 0)
        groups += int(table_groups or 0)
    seconds = time.monotonic() - started
    progress(f"floor: {len(queries)} landed tables, {rows:,} rows read into {groups:,} "
             f"account-day groups in {seconds:.1f}s")
    return {"seconds": round(seconds, 2), "rows_read": rows, "groups": groups,
            "tables": len(queries)}


# --- 3./4. dbt ------------------------------------------------------------------------------

def dbt_build(params: dict) -> dict:
    from kolpipe import build

    paths = Paths(Path(params["home"]))
    os.environ["KOLPIPE_HOME"] = str(paths.home)
    os.environ["DBT_QUIET"] = "true"  # the per-node lines go to the log file, not the console
    day = date.fromisoformat(params["date"])
    started = time.monotonic()
    statuses = build.dbt_build(day, paths)
    seconds = time.monotonic() - started
    profile = _node_profile(paths.home / "dbt_target" / "run_results.json")
    progress(f"dbt build {day} in {paths.home.name}: {statuses} in {seconds:.1f}s "
             f"(nodes {profile.get('node_seconds', {})})")
    return {"seconds": round(seconds, 2), "statuses": statuses, **profile}


def _node_profile(run_results: Path, top: int = 6) -> dict:
    """Where a build's time went, from dbt's run_results.json: seconds per node type (the rest
    of the wall time is import, parse and connect) and the slowest nodes."""
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text())["results"]
    by_type: dict[str, float] = {}
    for r in results:
        kind = r["unique_id"].split(".")[0]
        by_type[kind] = round(by_type.get(kind, 0.0) + r.get("execution_time", 0), 2)
    nodes = sorted(results, key=lambda r: r.get("execution_time", 0), reverse=True)[:top]
    return {"node_seconds": by_type,
            "slowest_nodes": [{"node": r["unique_id"],
                               "seconds": round(r.get("execution_time", 0), 2)} for r in nodes]}


# --- 5. extraction: extraction.py ------------------------------------------------------

# --- 6. DAG parse ---------------------------------------------------------------------------

def dag_parse(params: dict) -> dict:
    """Airflow's own measure: DagBag's FileLoadStat duration for dags/kol_daily.py."""
    from kolpipe import build, local_airflow

    paths = Paths(Path(params["home"]))
    os.environ.update(local_airflow.airflow_env(paths))
    os.environ["DBT_QUIET"] = "true"
    build.parse(paths)  # the DAG renders its dbt tasks from this manifest
    from airflow.dag_processing.dagbag import DagBag

    dag_file = PROJECT_ROOT / "dags" / "kol_daily.py"
    bag = DagBag(dag_folder=str(dag_file))
    stat = bag.dagbag_stats[0]  # one file was loaded: its stat's path is relative to itself
    seconds = stat.duration.total_seconds()
    tasks = sum(len(d.tasks) for d in bag.dags.values())
    progress(f"DAG parse: {dag_file.name} loaded in {seconds:.3f}s ({tasks} tasks, "
             f"{len(bag.import_errors)} import errors)")
    return {"seconds": round(seconds, 3), "tasks": tasks,
            "import_errors": {str(k): str(v)[:300] for k, v in bag.import_errors.items()}}


STAGES = {"generate": generate, "floor": floor, "dbt_build": dbt_build,
          "extraction": extraction, "dag_parse": dag_parse}
