"""The Great Expectations engine shared by the raw checks (kolpipe.validate) and the account gate
(kolpipe.gate): rules written in YAML become one GX suite, run on a pandas dataframe.

A rule is anything with `expectation`, `kwargs` and `source` (validate.Rule, gate.GateRule).
GX and pandas are imported inside the functions: importing this module stays fast.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any, Sequence, TypeVar

# validate_frame hands back the rule objects it was given: validate.Rule or gate.GateRule.
RuleT = TypeVar("RuleT")


class ExpectationsFileError(ValueError):
    """A suite file in expectations/ cannot be read as rules."""


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


def build_suite(rules: Sequence[Any]) -> Any:
    """The rules as a GX ExpectationSuite; each expectation's meta["rule"] is its rule's index.
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


def to_pandas(table: Any) -> Any:
    """An Arrow table as the dataframe GX checks. Nullable integer and boolean dtypes: a count
    column with nulls stays int64 (not float)."""
    import pandas as pd
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(),
                                         pa.bool_(): pd.BooleanDtype()}.get)


def type_name(arrow_type: Any) -> str:
    """The type_ GX's pandas check compares with the column's dtype.type, for the dtypes
    to_pandas gives each Arrow type."""
    import pyarrow as pa

    names = {pa.string(): "str", pa.int64(): "int64", pa.float64(): "float64",
             pa.bool_(): "bool", pa.date32(): "object"}  # dates arrive as Python date objects
    if pa.types.is_timestamp(arrow_type):
        return "Timestamp"  # only tz-aware timestamps have dtype.type Timestamp
    return names[arrow_type]
