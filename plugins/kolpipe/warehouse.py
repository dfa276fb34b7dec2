"""The dbt build of the warehouse, and the publish step that hands BI tools a finished file."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from datetime import date

from kolpipe.config import DBT_PROJECT_DIR, Paths
from kolpipe.config import paths as default_paths

log = logging.getLogger(__name__)

# dbt's schema for the marts (dbt/macros/generate_schema_name.sql keeps configured names).
MARTS_SCHEMA = "marts"
# The marts BI tools read; each is exported as Parquet on publish.
PUBLISHED_MARTS = ("dim_kol", "dim_account", "fct_posts", "fct_account_daily", "kol_performance",
                   "kol_cross_platform", "approved_kols", "account_verdicts",
                   "platform_freshness")


class DbtBuildFailed(RuntimeError):
    pass


def dbt_env(paths: Paths) -> dict[str, str]:
    return {"KOLPIPE_LANDING": str(paths.landing), "KOLPIPE_WAREHOUSE": str(paths.warehouse)}


def dbt_vars(logical_date: str) -> dict[str, str]:
    """The project variables of a run for one date (see dbt_project.yml)."""
    return {"logical_date": logical_date}


def _dbt_args(command: str, paths: Paths, target: str = "dbt_target") -> list[str]:
    return [command, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(paths.home / target), "--log-path", str(paths.home / "logs")]


def parse(paths: Paths | None = None) -> str:
    """Write the manifest the DAG renders its dbt tasks from (see kolpipe.dbt_tasks)."""
    from dbt.cli.main import dbtRunner

    from kolpipe.dbt_tasks import manifest_path

    paths = paths or default_paths()
    os.environ.update(dbt_env(paths))
    result = dbtRunner().invoke(_dbt_args("parse", paths, target="dbt_manifest") + ["--quiet"])
    if not result.success:
        raise DbtBuildFailed(f"dbt parse failed: {result.exception}; "
                             f"see {paths.home / 'logs' / 'dbt.log'}")
    return manifest_path(paths)


def dbt_build(logical_date: date, paths: Paths | None = None, *, select: str | None = None,
              full_refresh: bool = False) -> dict:
    """Run `dbt build` (models, seeds and their tests) into the working file."""
    from dbt.cli.main import dbtRunner

    paths = paths or default_paths()
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(dbt_env(paths))
    args = _dbt_args("build", paths) + ["--vars", json.dumps(dbt_vars(logical_date.isoformat()))]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    try:
        result = dbtRunner().invoke(args)
    finally:
        release_warehouse()
    statuses: dict[str, int] = {}
    failures = []
    for node in result.result or []:
        status = str(node.status)
        statuses[status] = statuses.get(status, 0) + 1
        if status in ("error", "fail"):
            failures.append(f"{node.node.unique_id}: {node.message}")
    if not result.success:
        detail = "\n  ".join(failures) or str(result.exception)
        raise DbtBuildFailed(f"dbt build for {logical_date} failed:\n  {detail}\n"
                             f"See {paths.home / 'logs' / 'dbt.log'}")
    log.info("dbt build for %s: %s", logical_date, statuses)
    return statuses


def release_warehouse() -> None:
    """dbt-duckdb keeps its DuckDB connection for the life of the process; `airflow dags test`
    runs later tasks in the same process, so close it now to free the file for publish."""
    import gc

    if "dbt.adapters.duckdb.connections" not in sys.modules:
        return
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()


def publish(logical_date: date, paths: Paths | None = None) -> dict[str, int]:
    """Swap the readers' file for a copy of the finished build, then export the marts.

    The copy is written beside the published file and renamed over it, so a reader opening
    the file sees the old or the new warehouse, never a half-written one."""
    import duckdb

    # here, not at the top: the DAG file imports this module, and landing loads pyarrow
    from kolpipe.landing import temporary_beside

    paths = paths or default_paths()
    release_warehouse()
    paths.published.parent.mkdir(parents=True, exist_ok=True)
    staged = temporary_beside(paths.published)
    # dbt may leave recent writes in the write-ahead log; fold them into the file before copying.
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("checkpoint")
    shutil.copyfile(paths.warehouse, staged)
    counts: dict[str, int] = {}
    with duckdb.connect(str(staged)) as con:
        export_dir = paths.exports / f"dt={logical_date.isoformat()}"
        export_dir.mkdir(parents=True, exist_ok=True)
        for mart in PUBLISHED_MARTS:
            relation = con.table(f"{MARTS_SCHEMA}.{mart}")
            counts[mart] = len(relation)
            relation.write_parquet(str(export_dir / f"{mart}.parquet"))
    os.replace(staged, paths.published)
    latest = paths.exports / "latest"
    staged_link = temporary_beside(latest)
    os.symlink(export_dir.name, staged_link)
    os.replace(staged_link, latest)
    log.info("published %s for %s: %s", paths.published, logical_date, counts)
    return counts
