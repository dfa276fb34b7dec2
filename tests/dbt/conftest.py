"""Shared by the dbt tests: run the dbt CLI of the venv on a landing zone and a warehouse file
of the test's own, in a subprocess (dbt-duckdb holds its connection for the life of a process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kolpipe.core.paths import DBT_PROJECT_DIR


def _run_dbt(work: Path, landing: Path, warehouse: Path, *args: str,
            check: bool = True) -> subprocess.CompletedProcess:
    """`dbt <args>` against `landing` and `warehouse`; dbt's target and logs go under `work`."""
    env = {**os.environ, "KOLPIPE_LANDING": str(landing), "KOLPIPE_WAREHOUSE": str(warehouse)}
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), *args, "--profiles-dir", ".", "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)
    if check:
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return result


@pytest.fixture(scope="session")
def run_dbt():
    """The dbt runner, as a fixture so that module-scoped fixtures can use it."""
    return _run_dbt
