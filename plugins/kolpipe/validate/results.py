"""What the raw checks report: counts per table, failed and skipped expectations, and the
exception that stops the date's dependent tasks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

SAMPLE_SIZE = 20  # ids listed in failure details; the full list is in the quarantine file


class RawDataCheckFailed(Exception):
    """A table-level raw-data check failed: the dependent tasks must not run for this date."""

    def __init__(self, result: QualityResult):
        self.result = result
        failed = [f for f in result.failed_expectations if f.severity == "table"]
        lines = "\n".join(f"  - {f.platform}__{f.entity}: {f.rule} — {f.summary}" for f in failed)
        super().__init__(
            f"Raw data checks failed for {result.platform} on {result.logical_date}:\n{lines}\n"
            f"Results: {result.results_path}\n"
            "Fix the landed data (rerun extract and land for this platform and date) or, if a "
            "rule is wrong, change it in expectations/raw/ and rerun this check."
        )

    def __reduce__(self):  # picklable, for executors that send exceptions between processes
        return (self.__class__, (self.result,))


@dataclass(frozen=True)
class EntityCounts:
    rows_checked: int  # rows landed before this check = rows_landed + rows_quarantined
    rows_landed: int  # rows left in the landed partition
    rows_quarantined: int  # rows this check moved to the quarantine (all runs for this date)
    quarantined_by_reason: dict[str, int]


@dataclass(frozen=True)
class FailedExpectation:
    platform: str
    entity: str
    rule: str  # "<expectation>:<column>" or "<expectation>"
    severity: str  # row: its rows were quarantined; table: the partition failed
    summary: str
    details: dict[str, Any]


@dataclass(frozen=True)
class SkippedExpectation:
    entity: str
    rule: str
    why: str


@dataclass(frozen=True)
class QualityResult:
    platform: str
    logical_date: date
    passed: bool  # no table-level failure
    entities: dict[str, EntityCounts]
    failed_expectations: list[FailedExpectation]
    skipped_expectations: list[SkippedExpectation] = field(default_factory=list)
    results_path: Path | None = None

    @property
    def quarantined_total(self) -> int:
        """Rows of this platform and date this check moved to the quarantine."""
        return sum(counts.rows_quarantined for counts in self.entities.values())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["quarantined_total"] = self.quarantined_total
        data["logical_date"] = self.logical_date.isoformat()
        data["results_path"] = str(self.results_path) if self.results_path else None
        return data


def raise_if_failed(result: QualityResult) -> QualityResult:
    """Raise RawDataCheckFailed if a table-level check failed; the Airflow task calls this so
    the dependent tasks stop. Quarantined rows alone do not fail the run."""
    if not result.passed:
        raise RawDataCheckFailed(result)
    return result


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it: dates as ISO text, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
