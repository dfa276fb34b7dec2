"""Verdicts: an account's verdict is `fail` when a fail rule fires, else `review` when a review
rule fires, else `pass`; then a person's override, if made against the same evidence. The
verdict rows are the partition dbt reads (landing/gate/account_verdicts/dt=<date>/)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kolpipe.core.paths import Paths
from kolpipe.gate.policy import SEVERITIES, GateRule, failing_accounts, jsonable

if TYPE_CHECKING:  # overrides reads the verdict partitions: it imports this module
    from kolpipe.gate.overrides import Override

REASON_SEPARATOR = "; "


@dataclass(frozen=True)
class Verdict:
    account_key: str
    computed_verdict: str
    fired: tuple[GateRule, ...]
    evidence: dict[str, dict[str, Any]]  # reason_code -> {column: value}
    evidence_fingerprint: str
    override: Override | None = None
    override_status: str | None = None  # "applied" or "stale: evidence changed"

    @property
    def verdict(self) -> str:
        return self.override.verdict if self.override_status == "applied" else self.computed_verdict

    @property
    def reason_codes(self) -> list[str]:
        return [rule.reason_code for rule in self.fired]


def judge(rules: list[GateRule], signals: Any, overrides: dict[str, Override]) -> list[Verdict]:
    """One verdict per account row of the signals frame."""
    fired = failing_accounts(rules, signals)
    verdicts = []
    for row in signals.to_dict("records"):
        key = row["account_key"]
        verdicts.append(derive_verdict(key, row, strongest_per_signal(rules, fired.get(key, [])),
                                       overrides.get(key)))
    return verdicts


def strongest_per_signal(rules: list[GateRule], fired: list[GateRule]) -> list[GateRule]:
    """Fail rules first, then policy order; of several rules on one signal column (a review
    band around a fail threshold) only the most severe is kept, so each signal gives one
    reason."""
    order = {rule: n for n, rule in enumerate(rules)}
    kept, columns = [], set()
    for rule in sorted(fired, key=lambda r: (-SEVERITIES.index(r.severity), order[r])):
        if rule.column not in columns:
            kept.append(rule)
            columns.add(rule.column)
    return kept


def derive_verdict(account_key: str, row: dict[str, Any], fired: list[GateRule],
                   override: Override | None) -> Verdict:
    """fail if a fail rule fired, review if a review rule fired, else pass; then the override
    if it was made against the same evidence."""
    severities = {rule.severity for rule in fired}
    computed = "fail" if "fail" in severities else "review" if "review" in severities else "pass"
    evidence = {rule.reason_code: {column: jsonable(row.get(column))
                                   for column in (rule.column, *rule.evidence)}
                for rule in fired}
    fingerprint = evidence_fingerprint(row, fired)
    status = None
    if override is not None:
        status = ("applied" if override.evidence_fingerprint == fingerprint
                  else "stale: evidence changed")
    return Verdict(account_key, computed, tuple(fired), evidence, fingerprint, override, status)


def evidence_fingerprint(row: dict[str, Any], fired: list[GateRule]) -> str:
    """What an override is made against: the reason codes that fired and, for each, the day
    its evidence was seen. Values that drift daily (a 30-day median) do not change it; a new
    reason or a new spike does."""
    facts = sorted({(rule.reason_code, str(jsonable(row.get(rule.evidence_day)))
                     if rule.evidence_day else "") for rule in fired})
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:16]


def verdict_rows(verdicts: list[Verdict], signals: Any, logical_date: date) -> list[dict]:
    by_key = {row["account_key"]: row for row in signals.to_dict("records")}
    rows = []
    for verdict in verdicts:
        signal_row = by_key[verdict.account_key]
        override = verdict.override
        rows.append({
            "account_key": verdict.account_key,
            "platform": signal_row["platform"],
            "account_id": signal_row["account_id"],
            "logical_date": logical_date,
            "verdict": verdict.verdict,
            "computed_verdict": verdict.computed_verdict,
            "reason_codes": REASON_SEPARATOR.join(verdict.reason_codes) or None,
            "reasons": REASON_SEPARATOR.join(rule.describe(signal_row)
                                             for rule in verdict.fired) or None,
            "evidence": json.dumps(verdict.evidence, sort_keys=True) if verdict.fired else None,
            "evidence_fingerprint": verdict.evidence_fingerprint,
            "is_overridden": verdict.override_status == "applied",
            "override_status": verdict.override_status,
            "override_verdict": override.verdict if override else None,
            "override_reason": override.reason if override else None,
            "override_by": override.by if override else None,
            "override_recorded_at": override.recorded_at if override else None,
        })
    return sorted(rows, key=lambda r: r["account_key"])


def verdict_schema() -> Any:
    import pyarrow as pa

    text = pa.string()
    return pa.schema([
        ("account_key", text), ("platform", text), ("account_id", text),
        ("logical_date", pa.date32()), ("verdict", text), ("computed_verdict", text),
        ("reason_codes", text), ("reasons", text), ("evidence", text),
        ("evidence_fingerprint", text), ("is_overridden", pa.bool_()),
        ("override_status", text), ("override_verdict", text), ("override_reason", text),
        ("override_by", text), ("override_recorded_at", text),
    ])


def verdicts_root(paths: Paths) -> Path:
    """Where the verdict partitions are kept: landing/gate/account_verdicts/dt=<date>/."""
    return paths.landing / "gate" / "account_verdicts"


def write_verdicts(paths: Paths, logical_date: date, rows: list[dict]) -> Path:
    from kolpipe.core import files

    path = files.partition_file(verdicts_root(paths), logical_date)
    files.write_partition(path, rows, verdict_schema())
    return path


def latest_verdict(paths: Paths, account_key: str) -> dict[str, Any] | None:
    """The account's verdict row of the newest date that has one."""
    from kolpipe.core import files

    for partition in sorted(verdicts_root(paths).glob("dt=*"), reverse=True):
        table = files.read_partition(partition / "part-0.parquet")
        for row in table.to_pylist():
            if row["account_key"] == account_key:
                return row
    return None
