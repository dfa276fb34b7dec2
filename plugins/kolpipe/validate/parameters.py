"""The run-time values the rules refer to as {$PARAMETER: name} (see rules.PARAMETERS and
expectations/raw/README.md), read from the landing zone and the extract stage's run record."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kolpipe.core.paths import Paths, run_record
from kolpipe.validate.quarantine import is_quality_reason, read_quarantine


def parameter_values(paths: Paths, platform: str, entity: str, logical_date: date,
                     registered: set[str] | None,
                     ) -> tuple[dict[str, Any], dict[str, tuple[str, bool]]]:
    """Values for the {$PARAMETER: ...} references known before the checks run, and those
    unavailable today as name -> (why, whether that fails the rule rather than skipping it).
    registered_account_ids_not_explained is filled in after the row rules have run."""
    import pyarrow.parquet as pq

    from kolpipe.core import files
    from kolpipe.core.fields import schema

    values: dict[str, Any] = {
        "landing_schema_columns": schema(platform, entity).names,
        # Timestamps must be before 00:00 UTC two days after the logical date, i.e. no later
        # than the day after it: an extraction runs after its date ends, and may see posts
        # published since midnight.
        "end_of_day_after_logical_date": datetime.combine(logical_date + timedelta(days=2),
                                                          time(0), tzinfo=UTC),
    }
    unavailable: dict[str, tuple[str, bool]] = {}

    previous = logical_date - timedelta(days=1)
    previous_path = files.raw_file(paths, platform, entity, previous)
    if previous_path.exists():
        # Rows landed that day, counting those its own check quarantined, so the result does
        # not depend on whether that day was checked yet (backfills in any order).
        quarantined = read_quarantine(files.quarantine_file(paths, platform, previous)
                                      ).to_pylist()
        values["previous_day_row_count"] = pq.ParquetFile(previous_path).metadata.num_rows + sum(
            1 for row in quarantined if row["entity"] == entity and is_quality_reason(row))
    else:
        unavailable["previous_day_row_count"] = (
            f"no previous day's partition ({previous_path})", False)

    if registered is None:
        unavailable["registered_account_ids_not_explained"] = (
            f"no registry snapshot at {_registry_snapshot(paths, logical_date)}: "
            "rerun the registry step for this date", True)
    return values, unavailable


def explained_account_ids(paths: Paths, platform: str, logical_date: date,
                          quarantine_rows: list[dict[str, Any]]) -> set[str]:
    """Accounts whose absence from the accounts partition is explained: a quarantine row with a
    reason (the landing's or this check's), or an account error recorded by the extract stage
    (private, deleted, not found...)."""
    explained = {row["account_id"] for row in quarantine_rows
                 if row["account_id"] and row["reason"]}
    summary = run_record(paths, "extract", logical_date, f"{platform}.json")
    if summary.exists():
        errors = json.loads(summary.read_text()).get("account_errors") or []
        explained |= {e["account_id"] for e in errors if e.get("account_id") and e.get("kind")}
    return explained


def registered_account_ids(paths: Paths, platform: str, logical_date: date) -> set[str] | None:
    """The platform's account_ids in the registry snapshot of the date (None: no snapshot)."""
    import pyarrow.compute as pc

    from kolpipe.core import files

    path = _registry_snapshot(paths, logical_date)
    if not path.exists():
        return None
    snapshot = files.read_partition(path)
    snapshot = snapshot.filter(pc.equal(snapshot["platform"], platform))
    return {account_id for account_id in snapshot["account_id"].to_pylist() if account_id}


def _registry_snapshot(paths: Paths, logical_date: date) -> Path:
    from kolpipe.core import files

    return files.raw_file(paths, "registry", "accounts", logical_date)
