"""The dbt project's SQL passes its linter (dbt/.sqlfluff: sqlfluff, DuckDB dialect, the jinja
templater with the project's macros), run as a developer runs it from the repository root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dbt_sql_passes_sqlfluff() -> None:
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    result = subprocess.run(
        [str(sqlfluff), "lint", "dbt/models", "dbt/macros", "dbt/tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
