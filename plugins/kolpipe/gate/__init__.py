"""The account gate: per-account verdicts (pass / review / fail) with reason codes.

dbt computes the bot-inflation signals per account and day (`int_account_signals_daily`,
dbt/models/intermediate/signals/). The gate policy is a Great Expectations suite over those
signals, `expectations/gate/account_gate.yml`: each expectation is one rule with a threshold,
and its `meta` names the reason code, the severity (`review` or `fail`) and the evidence
columns. The rows that fail a rule are the accounts it fires on. An account's verdict is
`fail` when a fail rule fires, else `review` when a review rule fires, else `pass`.

A person can overrule a verdict (`kolpipe gate override`). The override is kept with the
evidence fingerprint it was made against, the reason codes and the day each one's evidence was
seen; it is applied on every later run while that fingerprint is unchanged, and ignored (and
reported as stale) once new evidence appears.

Verdicts are written per logical date to `landing/gate/account_verdicts/dt=<date>/` (the dbt
models in models/marts/gate/ read them: the verdict history and approved_kols) and the run's
summary to `runs/gate/dt=<date>/result.json`. Nothing is deleted.

One signal comes from Python before dbt builds: the fake-follower share, written by the score
stage (kolpipe.score.followers).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kolpipe.core.paths import EXPECTATIONS_DIR, Paths
from kolpipe.core.paths import paths as default_paths

log = logging.getLogger(__name__)

POLICY_FILE = EXPECTATIONS_DIR / "gate" / "account_gate.yml"
SIGNALS_RELATION = "intermediate.int_account_signals_daily"
VERDICTS = ("pass", "review", "fail")  # in increasing severity
SEVERITIES = ("review", "fail")
# dbt models that read the verdicts carry this tag and build after the gate (kolpipe.build.cosmos).
GATED_TAG = "gated"
REASON_SEPARATOR = "; "
OVERRIDE_FIELDS = ("recorded_at", "account_key", "verdict", "reason", "by", "evidence_fingerprint")
RULE_KEYS = {"expectation", "kwargs", "meta", "why"}
TOP_REASONS = 3


class GatePolicyError(ValueError):
    """expectations/gate/account_gate.yml cannot be read as gate rules."""


class OverrideError(ValueError):
    pass


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
        day = f" on {_jsonable(row.get(self.evidence_day))}" if self.evidence_day else ""
        condition = f" where {_condition_text(self.kwargs['row_condition'])}" if self.kwargs.get(
            "row_condition") else ""
        return (f"{self.reason_code}: {self.column} {_short(row.get(self.column))} "
                f"(allowed {', '.join(bounds) or self.kwargs}{condition}){day}")


@dataclass(frozen=True)
class Override:
    recorded_at: str
    account_key: str
    verdict: str
    reason: str
    by: str
    evidence_fingerprint: str


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


@dataclass
class GateResult:
    logical_date: date
    counts: dict[str, int]  # verdict -> accounts
    gated: list[dict[str, Any]]  # review and fail accounts with their top reasons
    reason_counts: dict[str, int]  # reason code -> accounts it fired on
    stale_overrides: list[str]  # accounts whose override no longer matches the evidence
    verdicts_path: Path
    result_path: Path
    verdict_rows: list[dict[str, Any]] = field(repr=False, default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"logical_date": self.logical_date.isoformat(), "counts": self.counts,
                "reason_counts": self.reason_counts, "gated": self.gated,
                "stale_overrides": self.stale_overrides,
                "verdicts_path": str(self.verdicts_path)}


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def run_gate(logical_date: date, paths: Paths | None = None) -> GateResult:
    """Judge every account with signals on the logical date and store the verdicts.

    Idempotent: a rerun for the date replaces its verdict partition with the same rows."""
    paths = paths or default_paths()
    rules = load_policy()
    signals = read_signals(paths, logical_date)
    verdicts = judge(rules, signals, load_overrides(paths))
    rows = verdict_rows(verdicts, signals, logical_date)
    verdicts_path = write_verdicts(paths, logical_date, rows)
    result = _result(logical_date, verdicts, rows, verdicts_path, paths)
    from kolpipe.core import files

    files.write_json(result.result_path, result.to_dict())
    log.info("gate %s: %s; reasons %s", logical_date, result.counts, result.reason_counts)
    for stale in result.stale_overrides:
        log.warning("gate %s: override of %s ignored: the evidence changed since it was recorded",
                    logical_date, stale)
    return result


def record_override(account_key: str, verdict: str, reason: str, by: str,
                    paths: Paths | None = None) -> Override:
    """Record a person's verdict for an account against its latest evidence."""
    paths = paths or default_paths()
    if verdict not in VERDICTS:
        raise OverrideError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if not reason.strip() or not by.strip():
        raise OverrideError("an override needs a reason and the name of who made it")
    latest = latest_verdict(paths, account_key)
    if latest is None:
        raise OverrideError(
            f"no gate verdict for {account_key!r} yet: an override is made against the evidence "
            "of a verdict. Account keys look like 'instagram:17841400000007919'; run the gate "
            "first (kolpipe gate run DATE).")
    override = Override(datetime.now(UTC).isoformat(timespec="seconds"), account_key, verdict,
                        reason.strip(), by.strip(), latest["evidence_fingerprint"])
    path = overrides_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, OVERRIDE_FIELDS)
        if is_new:
            writer.writeheader()
        writer.writerow(override.__dict__)
    log.info("override recorded for %s: %s (computed %s on %s) by %s", account_key, verdict,
             latest["computed_verdict"], latest["logical_date"], by)
    return override


# ---------------------------------------------------------------------------------------------
# The policy
# ---------------------------------------------------------------------------------------------

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

    Uses the GX plumbing of the raw checks (kolpipe.validate.validate_frame): one ephemeral
    context, the dataframe as the batch, unexpected_index_list as row numbers."""
    from kolpipe import validate

    if frame.empty:
        return {}
    try:
        outcomes = validate.validate_frame(rules, frame.reset_index(drop=True), {})
    except validate.ExpectationsFileError as error:
        raise GatePolicyError(str(error)) from error
    keys = frame["account_key"].tolist()
    fired: dict[str, list[GateRule]] = {}
    for rule, outcome in outcomes:
        error = validate.exception_message(outcome)
        if error:
            raise GatePolicyError(f"{rule.source}: {error}")
        for index in outcome.result.get("unexpected_index_list") or []:
            fired.setdefault(keys[int(index)], []).append(rule)
    return fired


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------

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
    evidence = {rule.reason_code: {column: _jsonable(row.get(column))
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
    facts = sorted({(rule.reason_code, str(_jsonable(row.get(rule.evidence_day)))
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


# ---------------------------------------------------------------------------------------------
# Files and the warehouse
# ---------------------------------------------------------------------------------------------

def verdicts_root(paths: Paths) -> Path:
    return paths.landing / "gate" / "account_verdicts"


def overrides_path(paths: Paths) -> Path:
    """Overrides are the team's decisions, not pipeline output: one CSV under the home, appended
    to (never rewritten), so who decided what and when stays readable."""
    return paths.home / "gate" / "overrides.csv"


def result_path(paths: Paths, logical_date: date) -> Path:
    return paths.runs / "gate" / f"dt={logical_date.isoformat()}" / "result.json"


def read_signals(paths: Paths, logical_date: date) -> Any:
    """The signal rows of the date from the warehouse dbt built (read-only: dbt is not running
    between its two builds)."""
    import duckdb

    if not paths.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {paths.warehouse}: run dbt build for "
                                f"{logical_date} before the gate")
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        frame = con.execute(f"select * from {SIGNALS_RELATION} where observed_date = ? "
                            "order by account_key", [logical_date]).df()
    if frame.empty:
        log.warning("gate %s: no account has signals on this date", logical_date)
    return frame


def write_verdicts(paths: Paths, logical_date: date, rows: list[dict]) -> Path:
    from kolpipe.core import files

    path = files.partition_file(verdicts_root(paths), logical_date)
    files.write_partition(path, rows, verdict_schema())
    return path


def load_overrides(paths: Paths) -> dict[str, Override]:
    """The latest override per account (later lines win)."""
    path = overrides_path(paths)
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["account_key"]: Override(**{k: row[k] for k in OVERRIDE_FIELDS})
                for row in csv.DictReader(handle)}


def latest_verdict(paths: Paths, account_key: str) -> dict[str, Any] | None:
    """The account's verdict row of the newest date that has one."""
    from kolpipe.core import files

    for partition in sorted(verdicts_root(paths).glob("dt=*"), reverse=True):
        table = files.read_partition(partition / "part-0.parquet")
        for row in table.to_pylist():
            if row["account_key"] == account_key:
                return row
    return None


def _result(logical_date: date, verdicts: list[Verdict], rows: list[dict], verdicts_path: Path,
            paths: Paths) -> GateResult:
    counts = Counter(v.verdict for v in verdicts)
    reasons = Counter(code for v in verdicts if v.verdict != "pass" for code in v.reason_codes)
    gated = [{"account_key": row["account_key"], "verdict": row["verdict"],
              "reason_codes": row["reason_codes"].split(REASON_SEPARATOR)[:TOP_REASONS],
              "reasons": row["reasons"].split(REASON_SEPARATOR)[:TOP_REASONS]}
             for row in rows if row["verdict"] != "pass" and row["reason_codes"]]
    gated.sort(key=lambda g: (-VERDICTS.index(g["verdict"]), g["account_key"]))
    return GateResult(logical_date, {v: counts.get(v, 0) for v in VERDICTS}, gated,
                      dict(reasons.most_common()),
                      sorted(v.account_key for v in verdicts
                             if v.override_status and v.override_status != "applied"),
                      verdicts_path, result_path(paths, logical_date), rows)


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


def _jsonable(value: Any) -> Any:
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
