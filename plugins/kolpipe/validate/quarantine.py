"""Rows a row rule fails leave the landed partition for the platform's quarantine partition,
with the rules as reason; the counts are read back from the final files."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from kolpipe.validate.results import SAMPLE_SIZE, EntityCounts, FailedExpectation

# Reasons written by this stage start with the expectation name; the landing stage's do not.
QUALITY_REASON_PREFIX = "expect_"
REASON_SEPARATOR = "; "


def quarantine_rows(landed: Any, reasons_by_row: dict[int, list[str]], platform: str,
                    entity: str, logical_date: date) -> list[dict[str, Any]]:
    if not reasons_by_row:
        return []
    numbers = sorted(reasons_by_row)
    rows = landed.take(numbers).select(["account_id", "extracted_at", "raw_payload"]).to_pylist()
    return [{"platform": platform, "entity": entity, "account_id": row["account_id"],
             "reason": REASON_SEPARATOR.join(reasons_by_row[number]),
             "logical_date": logical_date, "extracted_at": row["extracted_at"],
             "raw_payload": row["raw_payload"]}
            for number, row in zip(numbers, rows, strict=True)]


def without_rows(landed: Any, reasons_by_row: dict[int, list[str]]) -> Any:
    import pyarrow as pa

    if not reasons_by_row:
        return landed
    return landed.filter(pa.array([n not in reasons_by_row for n in range(landed.num_rows)]))


def read_quarantine(path: Path) -> Any:
    from kolpipe.core import files
    from kolpipe.core.fields import QUARANTINE_SCHEMA

    if not path.exists():
        return QUARANTINE_SCHEMA.empty_table()
    return files.read_partition(path).select(QUARANTINE_SCHEMA.names).cast(QUARANTINE_SCHEMA)


def append_quarantine(path: Path, existing: Any, new_rows: list[dict[str, Any]]) -> Any:
    """Append rows to the quarantine partition, except those already there (as a multiset), so
    a rerun after a crash between the two writes does not quarantine a row twice."""
    import pyarrow as pa

    from kolpipe.core import files
    from kolpipe.core.fields import QUARANTINE_SCHEMA

    def key(row: dict[str, Any]) -> tuple:
        return tuple(row[name] for name in QUARANTINE_SCHEMA.names)

    already = Counter(key(row) for row in existing.to_pylist())
    to_add = []
    for row in new_rows:
        if already[key(row)]:
            already[key(row)] -= 1
        else:
            to_add.append(row)
    if not to_add:
        return existing
    table = pa.concat_tables([existing, pa.Table.from_pylist(to_add, schema=QUARANTINE_SCHEMA)])
    # The landing zone's writer: beside the target, then renamed into place.
    files.write_partition(path, table.to_pylist(), table.schema)
    return table


def final_counts(platform: str, quarantine: Any, cleaned: dict[str, Any],
                 landed_rows: dict[str, int],
                 ) -> tuple[dict[str, EntityCounts], list[FailedExpectation]]:
    """Counts and row-level failures read from the final files, so reruns report the same."""
    quality_rows = [row for row in quarantine.to_pylist() if is_quality_reason(row)]
    counts, failures = {}, []
    from kolpipe.core.fields import entities as landed_entities

    for entity in landed_entities(platform):
        if entity not in landed_rows:
            continue
        rows = [row for row in quality_rows if row["entity"] == entity]
        by_reason = Counter(reason for row in rows
                            for reason in row["reason"].split(REASON_SEPARATOR))
        in_partition = cleaned[entity].num_rows if entity in cleaned else landed_rows[entity]
        counts[entity] = EntityCounts(in_partition + len(rows), in_partition, len(rows),
                                      dict(sorted(by_reason.items())))
        for reason, count in sorted(by_reason.items()):
            account_ids = sorted({row["account_id"] or "" for row in rows
                                  if reason in row["reason"].split(REASON_SEPARATOR)})
            failures.append(FailedExpectation(
                platform, entity, reason, "row", f"{count} row(s) quarantined",
                {"rows_quarantined": count, "account_ids": account_ids[:SAMPLE_SIZE]}))
    return counts, failures


def is_quality_reason(row: dict[str, Any]) -> bool:
    """Whether a quarantine row was put there by this stage (not by the landing)."""
    return bool(row["reason"]) and row["reason"].startswith(QUALITY_REASON_PREFIX)
