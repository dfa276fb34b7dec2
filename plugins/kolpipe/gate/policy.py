"""The gate policy, expectations/gate/account_gate.yml: one GX expectation per rule over a
signal column, its `meta` naming the reason code, the severity and the evidence columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kolpipe.core import gx
from kolpipe.core.paths import EXPECTATIONS_DIR

POLICY_FILE = EXPECTATIONS_DIR / "gate" / "account_gate.yml"
VERDICTS = ("pass", "review", "fail")  # in increasing severity
SEVERITIES = ("review", "fail")
RULE_KEYS = {"expectation", "kwargs", "meta", "why"}


class GatePolicyError(ValueError):
    """expectations/gate/account_gate.yml cannot be read as gate rules."""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per rule
class GateRule:
    """One rule of the gate policy: a GX expectation over a signal column."""

    reason_code: str
    severity: str
    expectation: str
    kwargs: dict[str, Any]
    evidence: tuple[str, ...] = ()  # columns shown as the rule's evidence
    evidence_day: str | None = None  # the column holding the day the evidence was seen
    why: str | None = None
    source: str = POLICY_FILE.name  # where the rule is written, for error messages

    @property
    def column(self) -> str:
        return self.kwargs["column"]

    def describe(self, row: dict[str, Any]) -> str:
        """'<reason>: <column> <value> outside <bounds> on <day>' for one account's row."""
        bounds = [f"{name.removesuffix('_value')} {self.kwargs[name]}"
                  for name in ("min_value", "max_value") if name in self.kwargs]
        day = f" on {jsonable(row.get(self.evidence_day))}" if self.evidence_day else ""
        condition = f" where {_condition_text(self.kwargs['row_condition'])}" if self.kwargs.get(
            "row_condition") else ""
        return (f"{self.reason_code}: {self.column} {_short(row.get(self.column))} "
                f"(allowed {', '.join(bounds) or self.kwargs}{condition}){day}")


def load_policy(path: Path = POLICY_FILE) -> list[GateRule]:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise GatePolicyError(f"cannot read the gate policy {path}: {error}") from error
    rules = []
    for number, entry in enumerate(document.get("rules") or [], 1):
        where = f"{path.name} rule {number}"
        if not isinstance(entry, dict) or not RULE_KEYS >= set(entry) or "expectation" not in entry:
            raise GatePolicyError(
                f"{where}: a rule has the keys {sorted(RULE_KEYS)}; got {entry!r}")
        meta, kwargs = entry.get("meta") or {}, entry.get("kwargs") or {}
        if meta.get("severity") not in SEVERITIES:
            raise GatePolicyError(f"{where}: meta.severity must be one of {SEVERITIES}")
        if not meta.get("reason_code"):
            raise GatePolicyError(f"{where}: meta.reason_code is required")
        if "column" not in kwargs:
            raise GatePolicyError(f"{where}: kwargs.column (the signal judged) is required")
        rules.append(GateRule(meta["reason_code"], meta["severity"], entry["expectation"],
                              kwargs, tuple(meta.get("evidence") or ()),
                              meta.get("evidence_day"), entry.get("why"),
                              f"{where} ({meta['reason_code']})"))
    if not rules:
        raise GatePolicyError(f"{path}: no rules")
    return rules


def failing_accounts(rules: list[GateRule], frame: Any) -> dict[str, list[GateRule]]:
    """Run the policy as one GX suite over the signal rows; account_key -> rules it fails.

    Uses the GX engine of the raw checks (kolpipe.core.gx): one ephemeral context, the
    dataframe as the batch, unexpected_index_list as row numbers."""
    if frame.empty:
        return {}
    try:
        outcomes = gx.validate_frame(rules, frame.reset_index(drop=True), {})
    except gx.ExpectationsFileError as error:
        raise GatePolicyError(str(error)) from error
    keys = frame["account_key"].tolist()
    fired: dict[str, list[GateRule]] = {}
    for rule, outcome in outcomes:
        error = gx.exception_message(outcome)
        if error:
            raise GatePolicyError(f"{rule.source}: {error}")
        for index in outcome.result.get("unexpected_index_list") or []:
            fired.setdefault(keys[int(index)], []).append(rule)
    return fired


def jsonable(value: Any) -> Any:
    """A signal value as JSON can hold it: NaN, NaT and NA as None, numpy scalars as Python
    numbers, dates (pandas' midnight timestamps too) as ISO dates."""
    import math

    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    import pandas as pd

    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime):  # pandas gives the signal dates as midnight timestamps
        is_midnight = value.time() == datetime.min.time()
        return value.date().isoformat() if is_midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _condition_text(condition: Any) -> str:
    """A rule's GX row condition in words: {type: comparison, column: {name: c}, operator: >,
    parameter: 2} -> 'c > 2'; other forms as written."""
    if isinstance(condition, dict) and condition.get("type") == "comparison":
        return (f"{condition['column']['name']} {condition['operator']} "
                f"{condition['parameter']}")
    return str(condition)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
