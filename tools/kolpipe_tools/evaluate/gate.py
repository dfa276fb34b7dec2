"""`kolpipe gate benchmark`: the account gate's verdicts against the sandbox's ground truth.

The sandbox world plants problems on some accounts and records them in `World.labels()`; the
pipeline never reads them. The benchmark lands a window of history from the sandbox through
the extraction code the DAG runs, builds the warehouse, runs the gate for the window's last
date, and only then compares the `fail` verdicts with the labels.

Which accounts count as bot-inflated over the window (the ground truth), by planted kind:
- follower_spike: the bought batch arrived inside the window, after its first SPIKE_BASELINE_DAYS
  days (the spike rule compares a day with at least 7 earlier daily changes, and the benchmark
  lands no history before the window). A batch bought before the window leaves no trace in 60
  days of follower counts; those accounts are reported on their own lines
  ("follower_spike_before_window", "follower_spike_without_baseline") and left out of precision
  and recall.
- fake_audience, bought_likes: in effect on the window's last date (they are states: once
  started they last), and started at least MIN_EVIDENCE_DAYS before it, since a problem that began
  the day before the verdict has no evidence yet. Later starts are reported on their own line.
- engagement_pod, generic_comments, bought_likes act on posts: on an account dormant since before
  the window (no posts) they leave nothing to see ("<kind>_while_dormant", not scored).
- an account that is not public on the window's last date (private, churned, not created yet) has
  no signals that day, so no verdict: its bot-inflation labels are reported as
  "<kind>_not_public" and not scored.
- every other planted kind (dormant, churned, private, renamed_handle, ...) is not bot
  inflation: a `fail` there is a false positive.
Labels the benchmark does not know are reported under their own name and treated as not
bot-inflated, so a new planted kind shows up in the confusion table instead of vanishing.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kolpipe.core.paths import Paths
from kolpipe.core.progress import progress

log = logging.getLogger(__name__)

# Planted kinds that are bot inflation, and whether each is an event (seen only if it happens
# inside the window) or a state (in effect from its start on).
BOT_INFLATION_EVENTS = ("follower_spike",)
BOT_INFLATION_STATES = ("fake_audience", "bought_likes", "engagement_pod", "fake_followers",
                        "generic_comments")
MIN_EVIDENCE_DAYS = 7
SPIKE_BASELINE_DAYS = 7
POST_LEVEL_KINDS = ("engagement_pod", "generic_comments", "bought_likes")
DEFAULT_END = date(2026, 6, 30)
DEFAULT_WINDOW_DAYS = 60
CLEAN = "clean"


@dataclass(frozen=True)
class TruthRow:
    account_key: str
    kind: str  # the planted kind that decides the account's truth, or "clean"
    is_bot_inflated: bool | None  # None: not scored (no evidence can exist in the window)


def window_dates(end: date, days: int) -> list[date]:
    return [end - timedelta(days=back) for back in reversed(range(days))]


def land_history(world: Any, dates: list[date], paths: Paths) -> None:
    """Land the window from the world served in a thread (kolpipe_tools.demo.land_days)."""
    from kolpipe import registry
    from kolpipe_tools.demo import land_days
    from kolpipe_tools.sandbox.serve import running_sandbox
    from kolpipe_tools.sandbox.server import connections

    paths.registry.parent.mkdir(parents=True, exist_ok=True)
    paths.registry.write_text(registry.dump(world.kols()), encoding="utf-8")
    with running_sandbox(world) as base_url:
        os.environ.update(connections(base_url))
        land_days(dates, paths)


def ground_truth(labels: list[dict], account_keys: list[str], start: date, end: date,
                 not_public: frozenset[str] | set[str] = frozenset()) -> dict[str, TruthRow]:
    """Each account's truth over the window [start, end]; see the module docstring.
    `not_public`: the accounts with no public data on `end` (private, churned, not created)."""
    by_account: dict[str, list[dict]] = {}
    for label in labels:
        by_account.setdefault(f"{label['platform']}:{label['account_id']}", []).append(label)
    truth = {}
    for key in account_keys:
        truth[key] = _account_truth(key, by_account.get(key, []), start, end)
        if key in not_public and truth[key].is_bot_inflated:
            truth[key] = TruthRow(key, f"{truth[key].kind}_not_public", None)
    return truth


def _account_truth(key: str, labels: list[dict], start: date, end: date) -> TruthRow:
    dormant_since = min((date.fromisoformat(label["since"]) for label in labels
                         if label["problem"] == "dormant"), default=None)
    truth = TruthRow(key, CLEAN, False)
    for label in labels:
        since = date.fromisoformat(label["since"])
        kind = label["problem"]
        if kind in BOT_INFLATION_EVENTS:
            if start + timedelta(days=SPIKE_BASELINE_DAYS) <= since <= end:
                return TruthRow(key, kind, True)
            if start <= since <= end:
                truth = TruthRow(key, f"{kind}_without_baseline", None)
            elif since < start:
                truth = TruthRow(key, f"{kind}_before_window", None)
        elif kind in POST_LEVEL_KINDS and dormant_since is not None and dormant_since < start:
            truth = TruthRow(key, f"{kind}_while_dormant", None)
        elif kind in BOT_INFLATION_STATES:
            if since <= end - timedelta(days=MIN_EVIDENCE_DAYS):
                return TruthRow(key, kind, True)
            if since <= end:
                truth = TruthRow(key, f"{kind}_started_last_days", None)
        elif truth.kind == CLEAN:
            truth = TruthRow(key, kind, False)
    return truth


def score(verdicts: dict[str, str], truth: dict[str, TruthRow]) -> dict[str, Any]:
    """Precision and recall of `fail` for bot-inflated accounts, the review rate, and the
    verdicts per planted kind (the confusion table)."""
    scored = [row for row in truth.values() if row.is_bot_inflated is not None]
    failed = {key for key, verdict in verdicts.items() if verdict == "fail"}
    true_positive = sum(1 for row in scored if row.is_bot_inflated and row.account_key in failed)
    false_positive = sum(1 for row in scored
                         if not row.is_bot_inflated and row.account_key in failed)
    false_negative = sum(1 for row in scored
                         if row.is_bot_inflated and row.account_key not in failed)
    confusion: dict[str, Counter] = {}
    for row in truth.values():
        confusion.setdefault(row.kind, Counter())[verdicts.get(row.account_key, "no_verdict")] += 1
    reviewed = sum(1 for verdict in verdicts.values() if verdict == "review")
    return {
        "accounts_scored": len(scored),
        "bot_inflated": sum(1 for row in scored if row.is_bot_inflated),
        "true_positives": true_positive,
        "false_positives": false_positive,
        "false_negatives": false_negative,
        "precision": _ratio(true_positive, true_positive + false_positive),
        "recall": _ratio(true_positive, true_positive + false_negative),
        "review_rate": _ratio(reviewed, len(verdicts)),
        "accounts_with_verdict": len(verdicts),
        "confusion_by_kind": {
            kind: {v: counts.get(v, 0) for v in ("pass", "review", "fail", "no_verdict")}
            for kind, counts in sorted(confusion.items())},
        "missed": sorted(row.account_key for row in scored
                         if row.is_bot_inflated and row.account_key not in failed),
        "false_alarms": sorted(row.account_key for row in scored
                               if not row.is_bot_inflated and row.account_key in failed),
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def render(report: dict[str, Any]) -> str:
    lines = [
        f"Gate benchmark: {report['window_start']} .. {report['window_end']} "
        f"({report['window_days']} days), sandbox world of {report['kols']} KOLs (seed "
        f"{report['seed']})",
        f"  fail precision {report['precision']}  recall {report['recall']}  "
        f"(TP {report['true_positives']}, FP {report['false_positives']}, "
        f"FN {report['false_negatives']}; {report['bot_inflated']} bot-inflated of "
        f"{report['accounts_scored']} scored accounts)",
        f"  review rate {report['review_rate']} of {report['accounts_with_verdict']} accounts "
        "with a verdict",
        "",
        f"  {'planted kind':<34}{'pass':>6}{'review':>8}{'fail':>6}{'none':>6}",
    ]
    for kind, counts in report["confusion_by_kind"].items():
        lines.append(f"  {kind:<34}{counts['pass']:>6}{counts['review']:>8}{counts['fail']:>6}"
                     f"{counts['no_verdict']:>6}")
    if report["missed"]:
        lines.append(f"  missed: {', '.join(report['missed'])}")
    if report["false_alarms"]:
        lines.append(f"  false alarms: {', '.join(report['false_alarms'])}")
    lines.append(f"  written to {report['report_path']}")
    return "\n".join(lines)


def score_followers(dates: list[date], paths: Paths) -> None:
    """Stage the follower samples (the scorer reads dbt's staging models), score every day."""
    from kolpipe import build
    from kolpipe.score import followers

    build.dbt_build(dates[-1], paths, select=" ".join(followers.STAGED_SAMPLES))
    for day in dates:
        followers.score_follower_samples(day, paths)


def run_benchmark(paths: Paths, *, kols: int = 200, seed: int = 7, end: date = DEFAULT_END,
                  window_days: int = DEFAULT_WINDOW_DAYS, reuse_landing: bool = False,
                  ) -> dict[str, Any]:
    """Land the window (unless reusing it), build, gate the last date, score; write the JSON."""
    from kolpipe import build, gate
    from kolpipe.core import files
    from kolpipe_tools.sandbox.world import World

    world = World(kols, seed)
    dates = window_dates(end, window_days)
    if reuse_landing:
        check_reusable_landing(paths, kols, seed, dates)
    else:
        progress(f"landing {window_days} days ({dates[0]} .. {end}) from a sandbox world of "
                  f"{kols} KOLs into {paths.home}")
        land_history(world, dates, paths)
        files.write_json(landing_record(paths), {"kols": kols, "seed": seed})
    progress(f"scoring follower samples of {len(dates)} days")
    score_followers(dates, paths)
    # The first build includes the gated marts too (with the verdicts of earlier runs, if any):
    # the DAG excludes them there, which build.dbt_build cannot express yet.
    progress("dbt build")
    build.dbt_build(end, paths)
    progress(f"gate for {end}")
    result = gate.run_gate(end, paths)
    progress("dbt build (gated marts)")
    build.dbt_build(end, paths, select=f"tag:{gate.GATED_TAG}")

    verdicts = {row["account_key"]: row["verdict"] for row in result.verdict_rows}
    not_public = {a.key for a in world.accounts if not a.exists_on(end) or a.is_private_on(end)}
    truth = ground_truth(world.labels(), [a.key for a in world.accounts], dates[0], end,
                         not_public)
    report = {"window_start": dates[0].isoformat(), "window_end": end.isoformat(),
              "window_days": window_days, "kols": kols, "seed": seed,
              "verdict_counts": result.counts, **score(verdicts, truth)}
    report_path = report_file(paths, end)
    report["report_path"] = str(report_path)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main(paths: Paths, kols: int, seed: int, end: date, window_days: int,
         reuse_landing: bool) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    try:
        report = run_benchmark(paths, kols=kols, seed=seed, end=end, window_days=window_days,
                               reuse_landing=reuse_landing)
    except LandingNotReusable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(render(report))
    return 0


class LandingNotReusable(ValueError):
    """--reuse-landing, but the landing zone is not the window of this world."""


def landing_record(paths: Paths) -> Path:
    """The world the benchmark last landed: its labels are the truth only for that world."""
    return paths.runs / "gate_benchmark" / "landing.json"


def landed_dates(paths: Paths) -> list[date]:
    root = paths.landing / "raw" / "registry" / "accounts"
    return sorted(date.fromisoformat(p.name.removeprefix("dt=")) for p in root.glob("dt=*"))


def check_reusable_landing(paths: Paths, kols: int, seed: int, dates: list[date]) -> None:
    """Raise LandingNotReusable unless the landing zone holds every date of the window, landed
    from the same world: scoring another world's landing against these labels is meaningless."""
    missing = sorted(set(dates) - set(landed_dates(paths)))
    if missing:
        raise LandingNotReusable(
            f"--reuse-landing: {len(missing)} of the window's {len(dates)} dates are not landed "
            f"under {paths.home} (first: {missing[0]}); run `kolpipe gate benchmark` without "
            "--reuse-landing once, with the same --end and --window-days")
    record = landing_record(paths)
    if not record.exists():
        return  # landed before the record was kept: the world cannot be checked
    landed = json.loads(record.read_text(encoding="utf-8"))
    if (landed["kols"], landed["seed"]) != (kols, seed):
        raise LandingNotReusable(
            f"--reuse-landing: the landing under {paths.home} is from a world of "
            f"{landed['kols']} KOLs, seed {landed['seed']}, not {kols} KOLs, seed {seed}; pass "
            f"--kols {landed['kols']} --seed {landed['seed']}, or drop --reuse-landing to land "
            "this world")


def report_file(paths: Paths, end: date) -> Path:
    return paths.runs / "gate_benchmark" / f"dt={end.isoformat()}" / "benchmark.json"
