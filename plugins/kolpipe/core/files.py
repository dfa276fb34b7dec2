"""The landing zone: immutable Parquet partitions per platform, entity and logical date.

A rerun replaces a partition whole: the new file is written beside it and renamed into place,
so a reader (or a crash) never sees half a partition and rows are never duplicated.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kolpipe.core.paths import Paths


def partition_file(root: Path, date_: date) -> Path:
    return root / f"dt={date_.isoformat()}" / "part-0.parquet"


def raw_file(paths: Paths, platform: str, entity: str, date_: date) -> Path:
    return partition_file(paths.landing / "raw" / platform / entity, date_)


def quarantine_file(paths: Paths, platform: str, date_: date) -> Path:
    return partition_file(paths.quarantine / platform, date_)


def gaps_file(paths: Paths, platform: str, date_: date, failed_at: datetime | None = None
              ) -> Path:
    """The account-days a run of the platform did not observe. A completed run's file is
    replaced by its rerun; a stopped run's file is named by its time and kept, so the gap
    stays on record after a later run catches the day up."""
    folder = paths.landing / "extraction" / "account_gaps" / f"dt={date_.isoformat()}"
    if failed_at is None:
        return folder / f"{platform}.parquet"
    return folder / f"{platform}.stopped-{failed_at:%Y%m%dT%H%M%S%f}.parquet"


def write_partition(path: Path, rows: list[dict], schema: pa.Schema) -> int:
    """Write rows with the table's schema (an empty partition still gets a file, so readers
    can tell "nothing today" from "not extracted"). Returns the row count."""
    table = pa.Table.from_pylist(rows, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(path)
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, path)
    return table.num_rows


def read_partition(path: Path) -> pa.Table:
    return pq.read_table(path)


def temporary_beside(path: Path) -> Path:
    """A new temporary name beside `path` to write to and rename over it. Temporaries that a
    killed writer of the same file left behind are removed first: each file has one writer at
    a time (one task per partition, one publish at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(path)
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True, default=str))
    os.replace(temporary, path)
