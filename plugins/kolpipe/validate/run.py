"""The raw checks of one platform and date, in three phases per landed table (see the package's
docstring): schema, row rules (their rows are quarantined), table rules."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kolpipe.core.gx import exception_message, to_pandas, validate_frame
from kolpipe.core.paths import PLATFORMS, Paths, run_record
from kolpipe.core.paths import paths as default_paths
from kolpipe.validate.describe import describe_schema_failure, describe_table_failure
from kolpipe.validate.parameters import (
    explained_account_ids,
    parameter_values,
    registered_account_ids,
)
from kolpipe.validate.quarantine import (
    append_quarantine,
    final_counts,
    quarantine_rows,
    read_quarantine,
    without_rows,
)
from kolpipe.validate.results import (
    FailedExpectation,
    QualityResult,
    SkippedExpectation,
    jsonable,
)
from kolpipe.validate.rules import Rule, load_rules

log = logging.getLogger("kolpipe.validate")  # the stage's logger, whichever module logs


def validate_landed(platform: str, logical_date: date, paths: Paths | None = None) -> QualityResult:
    """Check one platform's landed partitions for a date; quarantine failing rows; write results.

    Idempotent: a rerun finds nothing more to quarantine and writes the same files.
    """
    from kolpipe.core import files
    from kolpipe.core.fields import entities as landed_entities

    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")
    paths = paths or default_paths()
    quarantine_file = files.quarantine_file(paths, platform, logical_date)
    quarantine = read_quarantine(quarantine_file)
    registered = registered_account_ids(paths, platform, logical_date)
    failures: list[FailedExpectation] = []
    skipped: list[SkippedExpectation] = []
    new_quarantine_rows: list[dict[str, Any]] = []
    landed_rows: dict[str, int] = {}
    cleaned: dict[str, Any] = {}  # entity -> landed table without the rows it quarantines

    for entity in landed_entities(platform):  # accounts first: the registry rule needs them
        table = _Table(platform, entity, logical_date, paths)
        if not table.path.exists():
            failures.append(table.failure("landed_partition_exists",
                                          f"no landed partition at {table.path}",
                                          {"path": str(table.path)}))
            continue
        landed = files.read_partition(table.path)
        landed_rows[entity] = landed.num_rows
        frame = to_pandas(landed)
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
        parameters, unavailable = parameter_values(paths, platform, entity, logical_date,
                                                   registered)
        row_rules, table_rules, cannot_run, skips = table.split_rules(
            [r for r in rules if r.phase == "checks"], unavailable)
        failures += cannot_run
        skipped += skips
        reasons_by_row, errors = table.failing_rows(row_rules, frame, parameters)
        failures += errors
        new_quarantine_rows += quarantine_rows(landed, reasons_by_row, platform, entity,
                                               logical_date)
        cleaned[entity] = without_rows(landed, reasons_by_row)

        # 3. table rules, on the partition as dbt will read it
        if registered is not None:
            explained = explained_account_ids(paths, platform, logical_date,
                                              quarantine.to_pylist() + new_quarantine_rows)
            parameters["registered_account_ids_not_explained"] = sorted(registered - explained)
        frame = to_pandas(cleaned[entity]) if reasons_by_row else frame
        failures += table.check_table(table_rules, frame, parameters)

    # Quarantine first, then the landed partitions: a crash in between leaves the rows in both
    # places, and the rerun does not add them twice (see append_quarantine).
    final_quarantine = append_quarantine(quarantine_file, quarantine, new_quarantine_rows)
    for entity, cleaned_table in cleaned.items():
        if cleaned_table.num_rows != landed_rows[entity]:
            # The landing zone's writer: beside the target, then renamed into place.
            files.write_partition(files.raw_file(paths, platform, entity, logical_date),
                                  cleaned_table.to_pylist(), cleaned_table.schema)

    entities, row_failures = final_counts(platform, final_quarantine, cleaned, landed_rows)
    result = QualityResult(
        platform=platform,
        logical_date=logical_date,
        passed=not failures,
        entities=entities,
        failed_expectations=failures + row_failures,
        skipped_expectations=skipped,
        results_path=run_record(paths, "quality", logical_date, f"{platform}.json"),
    )
    files.write_json(result.results_path, jsonable(result.to_dict()))
    _log(result)
    return result


@dataclass(frozen=True)
class _Table:
    """The three phases, for one landed table."""

    platform: str
    entity: str
    logical_date: date
    paths: Paths

    @property
    def path(self) -> Path:
        from kolpipe.core import files

        return files.raw_file(self.paths, self.platform, self.entity, self.logical_date)

    def failure(self, rule: str, summary: str, details: dict[str, Any]) -> FailedExpectation:
        return FailedExpectation(self.platform, self.entity, rule, "table", summary, details)

    def check_schema(self, rules: list[Rule], landed: Any, frame: Any,
                     ) -> list[FailedExpectation]:
        from kolpipe.core.fields import schema

        expected = schema(self.platform, self.entity)
        present = [r for r in rules if r.column is None or r.column in landed.column_names]
        return [self.failure(rule.reason, *describe_schema_failure(rule, outcome, landed,
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
        return [self.failure(rule.reason, *describe_table_failure(rule, outcome, frame,
                                                                  parameters))
                for rule, outcome in validate_frame(rules, frame, parameters)
                if not outcome.success]


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
