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

The modules: `policy` (the rules and running them), `verdicts` (judging, the verdict rows and
their partitions), `overrides` (a person's verdicts). This package runs them for a date.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kolpipe.core.paths import Paths, run_record
from kolpipe.core.paths import paths as default_paths
from kolpipe.gate.overrides import (
    Override,
    OverrideError,
    load_overrides,
    overrides_path,
    read_overrides,
    record_override,
)
from kolpipe.gate.policy import (
    POLICY_FILE,
    VERDICTS,
    GatePolicyError,
    GateRule,
    failing_accounts,
    load_policy,
)
from kolpipe.gate.verdicts import (
    REASON_SEPARATOR,
    Verdict,
    derive_verdict,
    evidence_fingerprint,
    judge,
    latest_verdict,
    strongest_per_signal,
    verdict_rows,
    verdict_schema,
    verdicts_root,
    write_verdicts,
)

__all__ = [
    "GATED_TAG",
    "POLICY_FILE",
    "SIGNALS_RELATION",
    "VERDICTS",
    "GatePolicyError",
    "GateResult",
    "GateRule",
    "Override",
    "OverrideError",
    "Verdict",
    "derive_verdict",
    "evidence_fingerprint",
    "failing_accounts",
    "judge",
    "latest_verdict",
    "load_overrides",
    "read_overrides",
    "load_policy",
    "overrides_path",
    "read_signals",
    "record_override",
    "run_gate",
    "strongest_per_signal",
    "verdict_rows",
    "verdict_schema",
    "verdicts_root",
    "write_verdicts",
]

log = logging.getLogger(__name__)

SIGNALS_RELATION = "intermediate.int_account_signals_daily"
# dbt models that read the verdicts carry this tag and build after the gate (kolpipe.build.cosmos).
GATED_TAG = "gated"
TOP_REASONS = 3


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
    override_problems: list[str] = field(default_factory=list)  # lines of overrides.csv left out

    def to_dict(self) -> dict[str, Any]:
        return {"logical_date": self.logical_date.isoformat(), "counts": self.counts,
                "reason_counts": self.reason_counts, "gated": self.gated,
                "stale_overrides": self.stale_overrides,
                "override_problems": self.override_problems,
                "verdicts_path": str(self.verdicts_path)}


def run_gate(logical_date: date, paths: Paths | None = None) -> GateResult:
    """Judge every account with signals on the logical date and store the verdicts.

    Idempotent: a rerun for the date replaces its verdict partition with the same rows."""
    paths = paths or default_paths()
    rules = load_policy()
    signals = read_signals(paths, logical_date)
    overrides, override_problems = read_overrides(paths)
    verdicts = judge(rules, signals, overrides)
    rows = verdict_rows(verdicts, signals, logical_date)
    verdicts_path = write_verdicts(paths, logical_date, rows)
    result = _result(logical_date, verdicts, rows, verdicts_path, paths)
    result.override_problems = override_problems
    for problem in override_problems:
        log.warning("gate %s: %s", logical_date, problem)
    from kolpipe.core import files

    files.write_json(result.result_path, result.to_dict())
    log.info("gate %s: %s; reasons %s", logical_date, result.counts, result.reason_counts)
    for stale in result.stale_overrides:
        log.warning("gate %s: override of %s ignored: the evidence changed since it was recorded",
                    logical_date, stale)
    return result


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
                      verdicts_path, run_record(paths, "gate", logical_date, "result.json"), rows)
