"""The command line refuses bad input before starting anything, naming the input and the fix."""

from __future__ import annotations

from datetime import date

from kolpipe.core.paths import PLATFORMS
from kolpipe_tools import cli


def test_run_without_connections_names_the_variables_and_the_sandbox_option(
        monkeypatch, capsys):
    for platform in PLATFORMS:
        monkeypatch.delenv(f"AIRFLOW_CONN_KOL_{platform.upper()}", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_KOL_X", '{"host": "https://api.x.com", "password": "t"}')

    assert cli.main(["run", "2026-11-20"]) == 2
    error = capsys.readouterr().err
    assert "AIRFLOW_CONN_KOL_INSTAGRAM" in error and "AIRFLOW_CONN_KOL_X" not in error
    assert "--sandbox" in error


def test_run_refuses_a_backwards_range(capsys):
    assert cli.main(["run", "2026-11-20", "2026-11-18", "--sandbox"]) == 2
    assert "2026-11-18 is before the first 2026-11-20" in capsys.readouterr().err


def test_demo_refuses_more_airflow_days_than_history(capsys):
    assert cli.main(["demo", "--history-days", "3", "--airflow-days", "5",
                     "--end", date(2026, 11, 20).isoformat()]) == 2
    assert "--airflow-days must be at least 1 and at most --history-days" in (
        capsys.readouterr().err)


def test_gate_run_without_a_warehouse_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KOLPIPE_HOME", str(tmp_path))
    assert cli.main(["gate", "run", "2026-11-20"]) == 2
    assert "no warehouse at" in capsys.readouterr().err
