"""The build stage: dbt parses and builds the warehouse file (BI tools never open it; the
publish stage hands them a finished copy)."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date

from kolpipe.core.paths import DBT_PROJECT_DIR, Paths
from kolpipe.core.paths import paths as default_paths

log = logging.getLogger(__name__)

class DbtBuildFailed(RuntimeError):
    pass


def manifest_path(paths: Paths) -> str:
    """The manifest `parse` writes and the DAG renders its dbt tasks from (build.cosmos)."""
    return str(paths.home / "dbt_manifest" / "manifest.json")


def dbt_env(paths: Paths) -> dict[str, str]:
    return {"KOLPIPE_LANDING": str(paths.landing), "KOLPIPE_WAREHOUSE": str(paths.warehouse)}


def dbt_vars(logical_date: str) -> dict[str, str]:
    """The project variables of a run for one date (see dbt_project.yml)."""
    return {"logical_date": logical_date}


def _dbt_args(command: str, paths: Paths, target: str = "dbt_target") -> list[str]:
    return [command, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(paths.home / target), "--log-path", str(paths.home / "logs")]


def parse(paths: Paths | None = None) -> str:
    """Write the manifest the DAG renders its dbt tasks from (see kolpipe.build.cosmos)."""
    from dbt.cli.main import dbtRunner

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
