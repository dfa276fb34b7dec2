"""A failed expectation in words, with the details a person needs to fix the data."""

from __future__ import annotations

from typing import Any

from kolpipe.core.gx import exception_message
from kolpipe.validate.results import SAMPLE_SIZE, jsonable
from kolpipe.validate.rules import Rule


def describe_schema_failure(rule: Rule, outcome: Any, landed: Any, expected: Any,
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


def describe_table_failure(rule: Rule, outcome: Any, frame: Any, parameters: dict[str, Any],
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
            jsonable({"observed_value": observed, "kwargs": kwargs}))
