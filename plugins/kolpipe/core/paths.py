"""Where the pipeline keeps its files. Everything derives from one root so a deployment
moves the whole state by setting KOLPIPE_HOME (and, for the registry, KOLPIPE_REGISTRY)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PLATFORMS = ("instagram", "youtube", "tiktok", "x", "weibo")


@dataclass(frozen=True)
class Paths:
    home: Path

    def __post_init__(self) -> None:
        # Every other character works (tests/test_gate_on_sandbox.py runs in such a home).
        if "?" in str(self.home):
            raise ValueError(
                f"KOLPIPE_HOME {str(self.home)!r} has a '?': DuckDB reads what follows it in a "
                "database path as options and cannot open the warehouse there; choose a "
                "folder without '?'")

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def quarantine(self) -> Path:
        return self.landing / "quarantine"

    @property
    def runs(self) -> Path:
        """Per-stage run records (extraction counts, check results), one JSON per date."""
        return self.home / "runs"

    @property
    def registry(self) -> Path:
        return Path(os.environ.get("KOLPIPE_REGISTRY", self.home / "registry" / "kols.yml"))

    @property
    def warehouse(self) -> Path:
        """The file dbt writes; BI tools never open it."""
        return self.home / "warehouse" / "kol_build.duckdb"

    @property
    def published(self) -> Path:
        """The file BI tools read, swapped atomically by the publish stage."""
        return self.home / "published" / "kol.duckdb"

    @property
    def exports(self) -> Path:
        return self.home / "published" / "exports"

    @property
    def sandbox(self) -> Path:
        return self.home / "sandbox"


def paths() -> Paths:
    return Paths(Path(os.environ.get("KOLPIPE_HOME", PROJECT_ROOT / "var")).resolve())


# Run records: every stage's JSON record of a date is named here, nowhere else.
#   runs/extract/dt=<date>/<platform>.json   what was extracted and landed (land)
#   runs/quality/dt=<date>/<platform>.json   the raw-data check results (validate)
#   runs/freshness/dt=<date>.json            the platforms landed and stale (validate.freshness)
#   runs/gate/dt=<date>/result.json          the gate's counts and reasons (gate)
#   runs/alerts/dt=<date>/<alert>.json       one record per alert sent (notify)
#   runs/summary/dt=<date>.json              the day's summary (report)

def run_records(paths: Paths, stage: str, logical_date: date) -> Path:
    """The folder of a stage's run records for a date: runs/<stage>/dt=<date>/."""
    return paths.runs / stage / f"dt={logical_date.isoformat()}"


def run_record(paths: Paths, stage: str, logical_date: date, name: str | None = None) -> Path:
    """runs/<stage>/dt=<date>/<name>; without a name, the stage's one record of the date,
    runs/<stage>/dt=<date>.json."""
    if name is None:
        return paths.runs / stage / f"dt={logical_date.isoformat()}.json"
    return run_records(paths, stage, logical_date) / name


DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
