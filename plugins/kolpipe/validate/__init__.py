"""Validate raw: the Great Expectations checks on one platform's landed partitions for a date.

The rules live in `expectations/raw/` (one YAML file per landed table plus `_common.yml`, see
the README there). For each entity, in this order:

1. schema rules: columns and types of `landing_schema`. A failure fails the partition and
   stops that table's other rules: rows cannot be judged against a schema they do not have.
2. `severity: row` rules: failing rows move to the platform's quarantine partition with the
   rule as reason (`<expectation>:<column>`), and the landed partition is rewritten without
   them. They do not fail the run: nothing is dropped silently, it is counted instead.
3. `severity: table` rules, on the partition as dbt will read it (after step 2): volume,
   registry completeness. A failure fails the run.

The results are written to `runs/quality/dt=<date>/<platform>.json`. Counts in it describe
the final state (landed rows + rows this check quarantined), so a rerun on an already
cleaned partition writes the same files and the same JSON.

GX and pandas are imported inside the functions: a DAG file importing this module stays fast.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Sequence, TypeVar

from kolpipe.core.paths import EXPECTATIONS_DIR, PLATFORMS, Paths
from kolpipe.core.paths import paths as default_paths

log = logging.getLogger(__name__)

SEVERITIES = ("row", "table")
ENTRY_KEYS = {"expectation", "kwargs", "columns", "for_each_landing_column", "severity", "why"}
# Reasons written by this stage start with the expectation name; the landing stage's do not.
QUALITY_REASON_PREFIX = "expect_"
REASON_SEPARATOR = "; "
SAMPLE_SIZE = 20  # ids listed in failure details; the full list is in the quarantine file

# Run-time values the YAML refers to as {$PARAMETER: name}; see expectations/raw/README.md.
PARAMETERS = (
    "landing_schema_columns",
    "end_of_day_after_logical_date",
    "previous_day_row_count",
    "registered_account_ids_not_explained",
)


# validate_frame hands back the rule objects it was given: Rule here, GateRule in kolpipe.gate.
RuleT = TypeVar("RuleT")


class ExpectationsFileError(ValueError):
    """A suite file in expectations/raw/ cannot be read as rules."""


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
class Rule:
    """One expectation of a table's suite, as written in expectations/raw/."""

    expectation: str
    kwargs: dict[str, Any]
    severity: str
    phase: str  # "schema" (checked first) or "checks"
    source: str  # the file it came from, for error messages
    why: str | None = None

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    @property
    def reason(self) -> str:
        """The quarantine reason, and the name a failure is reported under."""
        return f"{self.expectation}:{self.column}" if self.column else self.expectation

    def parameters(self) -> set[str]:
        """The run-time parameters this rule refers to."""
        expressions = [v["$PARAMETER"] for v in self.kwargs.values()
                       if isinstance(v, dict) and "$PARAMETER" in v]
        return {name for name in PARAMETERS for expression in expressions
                if re.search(rf"\b{name}\b", expression)}


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


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------

def validate_landed(platform: str, logical_date: date, paths: Paths | None = None) -> QualityResult:
    """Check one platform's landed partitions for a date; quarantine failing rows; write results.

    Idempotent: a rerun finds nothing more to quarantine and writes the same files.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")
    paths = paths or default_paths()
    quarantine = _read_quarantine(quarantine_path(paths, platform, logical_date))
    registered = _registered_account_ids(paths, platform, logical_date)
    failures: list[FailedExpectation] = []
    skipped: list[SkippedExpectation] = []
    new_quarantine_rows: list[dict[str, Any]] = []
    landed_rows: dict[str, int] = {}
    cleaned: dict[str, Any] = {}  # entity -> landed table without the rows it quarantines

    from kolpipe.core.fields import entities as landed_entities

    for entity in landed_entities(platform):  # accounts first: the registry rule needs them
        table = _Table(platform, entity, logical_date, paths)
        if not table.path.exists():
            failures.append(table.failure("landed_partition_exists",
                                          f"no landed partition at {table.path}",
                                          {"path": str(table.path)}))
            continue
        landed = _read_parquet(table.path)
        landed_rows[entity] = landed.num_rows
        frame = _to_pandas(landed)
        rules = load_rules(platform, entity)

        # 1. schema: if it fails, the table's other rules are not run
        schema_failures = table.check_schema([r for r in rules if r.phase == "schema"], landed,
                                             frame)
        if schema_failures:
            failures += schema_failures
            skipped += [SkippedExpectation(entity, r.reason, "schema check failed")
                        for r in rules if r.phase != "schema"]
            continue

        # 2. row rules: their failing rows leave the partition for the quarantine
        parameters, unavailable = _parameters(paths, platform, entity, logical_date, registered)
        row_rules, table_rules, cannot_run, skips = table.split_rules(
            [r for r in rules if r.phase == "checks"], unavailable)
        failures += cannot_run
        skipped += skips
        reasons_by_row, errors = table.failing_rows(row_rules, frame, parameters)
        failures += errors
        new_quarantine_rows += _quarantine_rows(landed, reasons_by_row, platform, entity,
                                                logical_date)
        cleaned[entity] = _without_rows(landed, reasons_by_row)

        # 3. table rules, on the partition as dbt will read it
        if registered is not None:
            explained = _explained_account_ids(paths, platform, logical_date,
                                               quarantine.to_pylist() + new_quarantine_rows)
            parameters["registered_account_ids_not_explained"] = sorted(registered - explained)
        frame = _to_pandas(cleaned[entity]) if reasons_by_row else frame
        failures += table.check_table(table_rules, frame, parameters)

    # Quarantine first, then the landed partitions: a crash in between leaves the rows in both
    # places, and the rerun does not add them twice (see _append_quarantine).
    final_quarantine = _append_quarantine(quarantine_path(paths, platform, logical_date),
                                          quarantine, new_quarantine_rows)
    for entity, cleaned_table in cleaned.items():
        if cleaned_table.num_rows != landed_rows[entity]:
            _write_parquet(cleaned_table, landed_path(paths, platform, entity, logical_date))

    entities, row_failures = _final_counts(platform, final_quarantine, cleaned, landed_rows)
    result = QualityResult(
        platform=platform,
        logical_date=logical_date,
        passed=not failures,
        entities=entities,
        failed_expectations=failures + row_failures,
        skipped_expectations=skipped,
        results_path=results_path(paths, platform, logical_date),
    )
    _write_json(result.to_dict(), result.results_path)
    _log(result)
    return result


def raise_if_failed(result: QualityResult) -> QualityResult:
    """Raise RawDataCheckFailed if a table-level check failed; the Airflow task calls this so
    the dependent tasks stop. Quarantined rows alone do not fail the run."""
    if not result.passed:
        raise RawDataCheckFailed(result)
    return result


def check_landed(platform: str, logical_date: date, paths: Paths | None = None) -> QualityResult:
    """validate_landed, then raise_if_failed: what the Airflow task runs."""
    return raise_if_failed(validate_landed(platform, logical_date, paths))


def landed_path(paths: Paths, platform: str, entity: str, logical_date: date) -> Path:
    from kolpipe.core import files

    return files.raw_file(paths, platform, entity, logical_date)


def quarantine_path(paths: Paths, platform: str, logical_date: date) -> Path:
    from kolpipe.core import files

    return files.quarantine_file(paths, platform, logical_date)


def registry_snapshot_path(paths: Paths, logical_date: date) -> Path:
    return landed_path(paths, "registry", "accounts", logical_date)


def extract_summary_path(paths: Paths, platform: str, logical_date: date) -> Path:
    """The extract stage's run record; its account_errors explain accounts not landed."""
    return paths.runs / "extract" / f"dt={logical_date}" / f"{platform}.json"


def results_path(paths: Paths, platform: str, logical_date: date) -> Path:
    return paths.runs / "quality" / f"dt={logical_date}" / f"{platform}.json"


# ---------------------------------------------------------------------------------------------
# The rules: expectations/raw/*.yml
# ---------------------------------------------------------------------------------------------

def load_rules(platform: str, entity: str, expectations_dir: Path = EXPECTATIONS_DIR) -> list[Rule]:
    """The suite of <platform>__<entity>: _common.yml's schema, all_tables and <entity> sections,
    then the table's own file."""
    raw = expectations_dir / "raw"
    common_file, table_file = raw / "_common.yml", raw / f"{platform}__{entity}.yml"
    common, own = _read_yaml(common_file), _read_yaml(table_file)
    sections = [("schema", common_file, common, "schema"),
                ("checks", common_file, common, "all_tables"),
                ("checks", common_file, common, entity),
                ("checks", table_file, own, "expectations")]
    rules = []
    for phase, source, document, key in sections:
        for entry in document.get(key) or []:
            rules += _expand(entry, phase, f"{source.name} ({key})", platform, entity)
    return rules


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.exists():
        raise ExpectationsFileError(f"missing suite file {path}: every landed table needs one")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ExpectationsFileError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise ExpectationsFileError(f"{path}: expected a mapping of sections to rule lists")
    return document


def _expand(entry: Any, phase: str, source: str, platform: str, entity: str) -> list[Rule]:
    """One YAML entry → one rule per column (`columns:` or `for_each_landing_column:`)."""
    if not isinstance(entry, dict) or "expectation" not in entry:
        raise ExpectationsFileError(f"{source}: each rule needs `expectation:`; got {entry!r}")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise ExpectationsFileError(
            f"{source}: {entry['expectation']}: unknown keys {sorted(unknown)}; "
            f"allowed: {sorted(ENTRY_KEYS)}")
    severity = entry.get("severity")
    if severity not in SEVERITIES:
        raise ExpectationsFileError(
            f"{source}: {entry['expectation']}: severity must be one of {SEVERITIES}, "
            f"got {severity!r}")
    kwargs = dict(entry.get("kwargs") or {})
    if entry.get("for_each_landing_column"):
        from kolpipe.core.fields import schema

        kwargs_per_column = [{**kwargs, "column": f.name, "type_": _gx_type_name(f.type)}
                             for f in schema(platform, entity)]
    elif entry.get("columns"):
        kwargs_per_column = [{**kwargs, "column": column} for column in entry["columns"]]
    else:
        kwargs_per_column = [kwargs]
    if severity == "row" and "column" not in kwargs_per_column[0]:
        raise ExpectationsFileError(
            f"{source}: {entry['expectation']}: a row rule needs a column (`columns:`), since "
            "its failing rows are quarantined")
    return [Rule(entry["expectation"], k, severity, phase, source, entry.get("why"))
            for k in kwargs_per_column]


def _gx_type_name(arrow_type: Any) -> str:
    """The type_ GX's pandas check compares with the column's dtype.type, for the dtypes
    _to_pandas gives each landing_schema type."""
    import pyarrow as pa

    names = {pa.string(): "str", pa.int64(): "int64", pa.float64(): "float64",
             pa.bool_(): "bool", pa.date32(): "object"}  # dates arrive as Python date objects
    if pa.types.is_timestamp(arrow_type):
        return "Timestamp"  # only tz-aware timestamps have dtype.type Timestamp
    return names[arrow_type]


# ---------------------------------------------------------------------------------------------
# Great Expectations
# ---------------------------------------------------------------------------------------------

@cache
def _batch_definition() -> Any:
    """One ephemeral context per process (nothing is stored): a pandas data source whose batch
    is the dataframe passed at validation time."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its import logs at INFO
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("landing").add_dataframe_asset("partition")
    return asset.add_batch_definition_whole_dataframe("whole_partition")


def build_suite(rules: Sequence[Rule]) -> Any:
    """The rules as a GX ExpectationSuite; each expectation's meta["rule"] is its rule's index.
    A rule is anything with `expectation`, `kwargs` and `source` (Rule here, gate.GateRule).
    Raises ExpectationsFileError naming the source for an unknown expectation or bad kwargs."""
    _batch_definition()  # creates the context a suite needs
    import great_expectations as gx
    from great_expectations.exceptions import ExpectationNotFoundError
    from great_expectations.expectations.registry import get_expectation_impl

    suite = gx.ExpectationSuite(name="raw")
    for number, rule in enumerate(rules):
        try:
            expectation_class = get_expectation_impl(rule.expectation)
        except ExpectationNotFoundError as error:
            raise ExpectationsFileError(
                f"{rule.source}: unknown expectation {rule.expectation!r}") from error
        try:
            suite.add_expectation(expectation_class(**rule.kwargs, meta={"rule": number}))
        except Exception as error:  # pydantic rejects the kwargs
            raise ExpectationsFileError(
                f"{rule.source}: {rule.expectation} {rule.kwargs}: {error}") from error
    return suite


def validate_frame(rules: Sequence[RuleT], frame: Any, parameters: dict[str, Any],
                   ) -> list[tuple[RuleT, Any]]:
    """Run rules (see build_suite) as one GX suite on the dataframe, COMPLETE results (so
    unexpected_index_list holds row numbers); (rule, ExpectationValidationResult) pairs."""
    if not rules:
        return []
    suite = build_suite(rules)
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    outcome = batch.validate(suite, result_format={"result_format": "COMPLETE"},
                             expectation_parameters=parameters)
    return [(rules[r.expectation_config.meta["rule"]], r) for r in outcome.results]


def exception_message(outcome: Any) -> str | None:
    """What GX raised while evaluating one expectation, or None when it ran."""
    info = outcome.exception_info or {}
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            return str(candidate.get("exception_message"))
    return None


def _parameters(paths: Paths, platform: str, entity: str, logical_date: date,
                registered: set[str] | None) -> tuple[dict[str, Any], dict[str, tuple[str, bool]]]:
    """Values for the {$PARAMETER: ...} references known before the checks run, and those
    unavailable today as name -> (why, whether that fails the rule rather than skipping it).
    registered_account_ids_not_explained is filled in after the row rules have run."""
    import pyarrow.parquet as pq

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
    previous_path = landed_path(paths, platform, entity, previous)
    if previous_path.exists():
        # Rows landed that day, counting those its own check quarantined, so the result does
        # not depend on whether that day was checked yet (backfills in any order).
        quarantined = _read_quarantine(quarantine_path(paths, platform, previous)).to_pylist()
        values["previous_day_row_count"] = pq.ParquetFile(previous_path).metadata.num_rows + sum(
            1 for row in quarantined if row["entity"] == entity and _is_quality_reason(row))
    else:
        unavailable["previous_day_row_count"] = (
            f"no previous day's partition ({previous_path})", False)

    if registered is None:
        unavailable["registered_account_ids_not_explained"] = (
            f"no registry snapshot at {registry_snapshot_path(paths, logical_date)}: "
            "rerun the registry step for this date", True)
    return values, unavailable


def _explained_account_ids(paths: Paths, platform: str, logical_date: date,
                           quarantine_rows: list[dict[str, Any]]) -> set[str]:
    """Accounts whose absence from the accounts partition is explained: a quarantine row with a
    reason (the landing's or this check's), or an account error recorded by the extract stage
    (private, deleted, not found...)."""
    explained = {row["account_id"] for row in quarantine_rows
                 if row["account_id"] and row["reason"]}
    summary = extract_summary_path(paths, platform, logical_date)
    if summary.exists():
        errors = json.loads(summary.read_text()).get("account_errors") or []
        explained |= {e["account_id"] for e in errors if e.get("account_id") and e.get("kind")}
    return explained


def _registered_account_ids(paths: Paths, platform: str, logical_date: date) -> set[str] | None:
    """The platform's account_ids in the registry snapshot of the date (None: no snapshot)."""
    import pyarrow.compute as pc

    path = registry_snapshot_path(paths, logical_date)
    if not path.exists():
        return None
    snapshot = _read_parquet(path)
    snapshot = snapshot.filter(pc.equal(snapshot["platform"], platform))
    return {account_id for account_id in snapshot["account_id"].to_pylist() if account_id}


# ---------------------------------------------------------------------------------------------
# The three phases, for one landed table
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Table:
    platform: str
    entity: str
    logical_date: date
    paths: Paths

    @property
    def path(self) -> Path:
        return landed_path(self.paths, self.platform, self.entity, self.logical_date)

    def failure(self, rule: str, summary: str, details: dict[str, Any]) -> FailedExpectation:
        return FailedExpectation(self.platform, self.entity, rule, "table", summary, details)

    def check_schema(self, rules: list[Rule], landed: Any, frame: Any,
                     ) -> list[FailedExpectation]:
        from kolpipe.core.fields import schema

        expected = schema(self.platform, self.entity)
        present = [r for r in rules if r.column is None or r.column in landed.column_names]
        return [self.failure(rule.reason, *_describe_schema_failure(rule, outcome, landed,
                                                                    expected))
                for rule, outcome in validate_frame(present, frame,
                                               {"landing_schema_columns": expected.names})
                if not outcome.success]

    def split_rules(self, rules: list[Rule], unavailable: dict[str, tuple[str, bool]]) -> tuple:
        """Row rules and table rules to run; and the rules that cannot run today because a
        parameter is unavailable, as failures or as skips."""
        row_rules, table_rules, failures, skips = [], [], [], []
        for rule in rules:
            missing = sorted(rule.parameters() & unavailable.keys())
            if missing:
                why, is_failure = unavailable[missing[0]]
                if is_failure:
                    failures.append(self.failure(rule.reason, why, {}))
                else:
                    skips.append(SkippedExpectation(self.entity, rule.reason, why))
            else:
                (row_rules if rule.severity == "row" else table_rules).append(rule)
        return row_rules, table_rules, failures, skips

    def failing_rows(self, rules: list[Rule], frame: Any, parameters: dict[str, Any],
                     ) -> tuple[dict[int, list[str]], list[FailedExpectation]]:
        """Row number -> reasons it fails; and the rules GX could not evaluate."""
        reasons_by_row: dict[int, list[str]] = {}
        errors = []
        for rule, outcome in validate_frame(rules, frame, parameters):
            error = exception_message(outcome)
            if error:
                errors.append(self.failure(rule.reason, f"could not be evaluated: {error}",
                                           {"error": error}))
            elif not outcome.success:
                for index in outcome.result["unexpected_index_list"]:
                    reasons_by_row.setdefault(int(index), []).append(rule.reason)
        return reasons_by_row, errors

    def check_table(self, rules: list[Rule], frame: Any, parameters: dict[str, Any],
                    ) -> list[FailedExpectation]:
        return [self.failure(rule.reason, *_describe_table_failure(rule, outcome, frame,
                                                                   parameters))
                for rule, outcome in validate_frame(rules, frame, parameters)
                if not outcome.success]


# ---------------------------------------------------------------------------------------------
# Describing failures
# ---------------------------------------------------------------------------------------------

def _describe_schema_failure(rule: Rule, outcome: Any, landed: Any, expected: Any,
                             ) -> tuple[str, dict[str, Any]]:
    error = exception_message(outcome)
    if error:
        return f"could not be evaluated: {error}", {"error": error}
    if rule.expectation == "expect_table_columns_to_match_set":
        missing = sorted(set(expected.names) - set(landed.column_names))
        unexpected = sorted(set(landed.column_names) - set(expected.names))
        return (f"columns missing: {missing}, unexpected: {unexpected}",
                {"missing_columns": missing, "unexpected_columns": unexpected})
    if rule.expectation == "expect_column_values_to_be_of_type":
        landed_type = str(landed.schema.field(rule.column).type)
        expected_type = str(expected.field(rule.column).type)
        return (f"column {rule.column} is {landed_type}, landing_schema says {expected_type}",
                {"column": rule.column, "landed_type": landed_type,
                 "expected_type": expected_type})
    return _generic_failure(outcome)


def _describe_table_failure(rule: Rule, outcome: Any, frame: Any, parameters: dict[str, Any],
                            ) -> tuple[str, dict[str, Any]]:
    error = exception_message(outcome)
    if error:
        return f"could not be evaluated: {error}", {"error": error}
    kwargs = outcome.expectation_config.kwargs  # with the parameters filled in
    if rule.expectation == "expect_table_row_count_to_be_between":
        observed = outcome.result["observed_value"]
        details = {"row_count": observed, "min_row_count": kwargs.get("min_value"),
                   "max_row_count": kwargs.get("max_value"),
                   "previous_day_row_count": parameters.get("previous_day_row_count")}
        return (f"{observed} rows; expected at least {kwargs.get('min_value')} "
                f"(previous day: {parameters.get('previous_day_row_count')} rows)", details)
    if rule.expectation == "expect_column_distinct_values_to_contain_set":
        present = set(frame[rule.column].dropna())
        missing = sorted(v for v in kwargs["value_set"] if v not in present)
        what = ("registered account(s) neither landed nor explained (quarantine or extract "
                "account errors)"
                if "registered_account_ids_not_explained" in rule.parameters()
                else f"expected value(s) missing from {rule.column}")
        return (f"{len(missing)} {what}: {missing[:SAMPLE_SIZE]}",
                {"missing_count": len(missing), "missing": missing})
    return _generic_failure(outcome)


def _generic_failure(outcome: Any) -> tuple[str, dict[str, Any]]:
    kwargs = {k: v for k, v in outcome.expectation_config.kwargs.items() if k != "batch_id"}
    observed = outcome.result.get("observed_value")
    return (f"observed {observed!r}, expected {kwargs}",
            _jsonable({"observed_value": observed, "kwargs": kwargs}))


# ---------------------------------------------------------------------------------------------
# Quarantine and counts
# ---------------------------------------------------------------------------------------------

def _quarantine_rows(landed: Any, reasons_by_row: dict[int, list[str]], platform: str,
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


def _without_rows(landed: Any, reasons_by_row: dict[int, list[str]]) -> Any:
    import pyarrow as pa

    if not reasons_by_row:
        return landed
    return landed.filter(pa.array([n not in reasons_by_row for n in range(landed.num_rows)]))


def _append_quarantine(path: Path, existing: Any, new_rows: list[dict[str, Any]]) -> Any:
    """Append rows to the quarantine partition, except those already there (as a multiset), so
    a rerun after a crash between the two writes does not quarantine a row twice."""
    import pyarrow as pa

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
    _write_parquet(table, path)
    return table


def _final_counts(platform: str, quarantine: Any, cleaned: dict[str, Any],
                  landed_rows: dict[str, int],
                  ) -> tuple[dict[str, EntityCounts], list[FailedExpectation]]:
    """Counts and row-level failures read from the final files, so reruns report the same."""
    quality_rows = [row for row in quarantine.to_pylist() if _is_quality_reason(row)]
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


def _is_quality_reason(row: dict[str, Any]) -> bool:
    return bool(row["reason"]) and row["reason"].startswith(QUALITY_REASON_PREFIX)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

def _read_parquet(path: Path) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def _read_quarantine(path: Path) -> Any:
    from kolpipe.core.fields import QUARANTINE_SCHEMA

    if not path.exists():
        return QUARANTINE_SCHEMA.empty_table()
    return _read_parquet(path).select(QUARANTINE_SCHEMA.names).cast(QUARANTINE_SCHEMA)


def _to_pandas(table: Any) -> Any:
    """Nullable integer and boolean dtypes: a count column with nulls stays int64 (not float)."""
    import pandas as pd
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(),
                                         pa.bool_(): pd.BooleanDtype()}.get)


def _write_parquet(table: Any, path: Path) -> None:
    """The landing zone's writer: beside the target, then renamed into place."""
    from kolpipe.core import files

    files.write_partition(path, table.to_pylist(), table.schema)


def _write_json(data: dict[str, Any], path: Path) -> None:
    from kolpipe.core import files

    files.write_json(path, _jsonable(data))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _log(result: QualityResult) -> None:
    for entity, counts in result.entities.items():
        log.info("%s %s %s: %d rows checked, %d quarantined %s", result.platform,
                 result.logical_date, entity, counts.rows_checked, counts.rows_quarantined,
                 counts.quarantined_by_reason or "")
    for failure in result.failed_expectations:
        if failure.severity == "table":
            log.error("%s %s %s: %s failed: %s", result.platform, result.logical_date,
                      failure.entity, failure.rule, failure.summary)
    for skip in result.skipped_expectations:
        log.info("%s %s %s: %s skipped: %s", result.platform, result.logical_date, skip.entity,
                 skip.rule, skip.why)
