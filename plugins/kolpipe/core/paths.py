"""Where the pipeline keeps its files. Everything derives from one root so a deployment
moves the whole state by setting KOLPIPE_HOME (and, for the registry, KOLPIPE_REGISTRY)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PLATFORMS = ("instagram", "youtube", "tiktok", "x", "weibo")


@dataclass(frozen=True)
class Paths:
    home: Path

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


DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
