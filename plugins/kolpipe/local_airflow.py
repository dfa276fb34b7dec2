"""The embedded default's Airflow: a project-local AIRFLOW_HOME with SQLite metadata, the
project's dags/ and plugins/, and `airflow dags test` to execute a DAG run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
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


def store_grants(paths: Paths, grants: list) -> None:
    """Hand creator grants obtained outside Airflow (the demo's consent step) to Airflow's
    Variables, through stdin: never a file, never a command line."""
    script = ("import json, sys\n"
              "from kolpipe.extract.grants import AirflowGrants, Grant\n"
              "store = AirflowGrants()\n"
              "for text in json.load(sys.stdin):\n"
              "    store.put(Grant.from_json(text, 'stdin'))\n")
    log_file = paths.home / "logs" / "airflow-setup.log"
    with log_file.open("a") as log:
        done = subprocess.run([sys.executable, "-c", script], env=airflow_env(paths), check=False,
                              input=json.dumps([g.to_json() for g in grants]), text=True,
                              stdout=log, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"storing the creators' grants in Airflow failed; see {log_file}")


def dags_test(logical_date: date, paths: Paths,
              show: Callable[[str], None] | None = None) -> tuple[bool, float, Path]:
    """Run the DAG for one date in-process; returns success, seconds and the log file. While
    it runs, `show` gets a line for each task as it finishes, with its state and duration
    (read from the metadata database: `airflow dags test` logs task ids unevenly)."""
    log_file = paths.home / "logs" / f"airflow-dags-test-{logical_date.isoformat()}.log"
    log_file.unlink(missing_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    env = airflow_env(paths)
    watcher = TaskWatcher(paths.home / "airflow" / "airflow.db")
    started = time.monotonic()
    with log_file.open("a") as log:
        log.write(f"\n$ airflow dags test {DAG_ID} {logical_date.isoformat()}\n")
        log.flush()
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), "dags", "test", DAG_ID,
             logical_date.isoformat()], env=env, stdout=log, stderr=subprocess.STDOUT)
        while process.poll() is None:
            time.sleep(POLL_SECONDS)
            for line in watcher.finished_since_last_call():
                (show or _ignore)(line)
        for line in watcher.finished_since_last_call():
            (show or _ignore)(line)
    text = log_file.read_text(errors="replace")
    ok = process.returncode == 0 and "state=failed" not in text.replace(" ", "")
    return ok, time.monotonic() - started, log_file


POLL_SECONDS = 1.0
FINISHED_STATES = ("success", "failed", "skipped", "upstream_failed", "removed")


def _ignore(line: str) -> None:
    pass


class TaskWatcher:
    """The tasks of the DAG runs created after it was made, as they finish: reads the SQLite
    metadata database read-only, so it never blocks Airflow's writes."""

    def __init__(self, database: Path):
        self.database = database
        # No database or no dag_run table yet (not migrated): every run is new.
        runs = self._query("select coalesce(max(id), 0) from dag_run", ())
        self.known_runs = runs[0][0] if runs else 0
        self.reported: set[tuple[str, int]] = set()

    def _query(self, sql: str, params: tuple) -> list[tuple]:
        import sqlite3

        try:
            with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=1) as con:
                return con.execute(sql, params).fetchall()
        except sqlite3.Error:  # not created yet, or locked by a write: try at the next poll
            return []

    def finished_since_last_call(self) -> list[str]:
        rows = self._query(
            "select ti.task_id, ti.map_index, ti.state, ti.start_date, ti.end_date, "
            "(select count(*) from task_instance t where t.run_id = ti.run_id) "
            "from task_instance ti join dag_run r on r.run_id = ti.run_id "
            f"where r.id > ? and ti.state in ({', '.join('?' * len(FINISHED_STATES))}) "
            "order by ti.end_date, ti.task_id", (self.known_runs, *FINISHED_STATES))
        lines = []
        for task_id, map_index, state, start, end, total in rows:
            if (task_id, map_index) in self.reported:
                continue
            self.reported.add((task_id, map_index))
            lines.append(f"  [{len(self.reported):>3}/{total}] {task_id:<55} {state:<8} "
                         f"{_seconds(start, end)}")
        return lines


def _seconds(start: str | None, end: str | None) -> str:
    from datetime import datetime

    if not start or not end:
        return ""
    took = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return f"{took.total_seconds():6.1f}s"
