"""The embedded default's Airflow: a project-local AIRFLOW_HOME with SQLite metadata, the
project's dags/ and plugins/, and `airflow dags test` to execute a DAG run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from kolpipe.core.paths import PLATFORMS, PROJECT_ROOT, Paths

DAG_ID = "kol_daily"
# Requests in flight per platform API; an Airflow pool caps the extract tasks.
POOL_SLOTS = 1


def airflow_env(paths: Paths) -> dict[str, str]:
    home = paths.home / "airflow"
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        # Offline by design: no usage pings from Cosmos.
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "KOLPIPE_HOME": str(paths.home),
        "KOLPIPE_TASK_RETRIES": env.get("KOLPIPE_TASK_RETRIES", "0"),
    })
    return env


def _airflow(args: list[str], env: dict[str, str], log_file: Path) -> subprocess.CompletedProcess:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("a") as log:
        log.write(f"\n$ airflow {' '.join(args)}\n")
        log.flush()
        return subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=env,
                              stdout=log, stderr=subprocess.STDOUT, check=False)


def pools() -> dict[str, dict]:
    """The Airflow pools, in `airflow pools import` form: one per platform API, and the
    warehouse's single writer. The compose init service imports the same."""
    from kolpipe.build import cosmos

    definitions = {f"kol_{platform}_api": {"slots": POOL_SLOTS, "include_deferred": False,
                                           "description": f"concurrent {platform} API extraction"}
                   for platform in PLATFORMS}
    definitions[cosmos.WAREHOUSE_POOL] = {
        "slots": 1, "include_deferred": False,
        "description": "DuckDB has one writer: one task at a time"}
    return definitions


def prepare(paths: Paths) -> None:
    """Write the dbt manifest the DAG renders from; create or migrate the metadata database;
    create the pools (one per platform API, one single-writer pool for the warehouse)."""
    from kolpipe import build

    build.parse(paths)
    env = airflow_env(paths)
    log_file = paths.home / "logs" / "airflow-setup.log"
    if _airflow(["db", "migrate"], env, log_file).returncode != 0:
        raise RuntimeError(f"airflow db migrate failed; see {log_file}")
    pools_file = paths.home / "airflow" / "pools.json"
    pools_file.write_text(json.dumps(pools(), indent=2))
    # One CLI call for every pool: each `airflow` start costs seconds.
    if _airflow(["pools", "import", str(pools_file)], env, log_file).returncode != 0:
        raise RuntimeError(f"airflow pools import failed; see {log_file}")


def dags_test(logical_date: date, paths: Paths) -> tuple[bool, float, Path]:
    """Run the DAG for one date in-process; returns success, seconds and the log file."""
    log_file = paths.home / "logs" / f"airflow-dags-test-{logical_date.isoformat()}.log"
    log_file.unlink(missing_ok=True)
    started = time.monotonic()
    result = _airflow(["dags", "test", DAG_ID, logical_date.isoformat()], airflow_env(paths),
                      log_file)
    text = log_file.read_text(errors="replace")
    ok = result.returncode == 0 and "state=failed" not in text.replace(" ", "")
    return ok, time.monotonic() - started, log_file
