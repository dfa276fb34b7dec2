"""Alerts: what is sent when a raw-data check fails, accounts get gated or a task fails, built
from the stage results and rendered as text, Slack blocks and e-mail."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from kolpipe.core.paths import PLATFORMS, Paths, run_record
from kolpipe.core.paths import paths as default_paths

if TYPE_CHECKING:
    from kolpipe.validate import QualityResult

KINDS = ("data_check_failed", "accounts_gated", "task_failed", "overrides_ignored",
         "creator_access")
ALL_PLATFORMS = "all"
GATED_VERDICTS = ("fail", "review")
LISTED_ACCOUNTS = 20  # accounts named in a message; the counts cover all of them
TOP_REASONS = 5


@dataclass(frozen=True)
class Alert:
    kind: str
    logical_date: date
    platform: str  # a platform, or "all"
    failed: list[str]  # what failed, one line each
    where_to_look: list[str]  # result files, quarantine, Airflow log URL
    gated_by_verdict: dict[str, int] = field(default_factory=dict)  # {"fail": 3, "review": 1}
    top_reasons: list[tuple[str, int]] = field(default_factory=list)  # (reason code, accounts)
    gated_accounts: list[str] = field(default_factory=list)  # "<account> (fail: a, b)"
    run_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert kind {self.kind!r}; expected one of {KINDS}")

    @property
    def title(self) -> str:
        what = {"data_check_failed": "Raw data checks failed",
                "accounts_gated": "Accounts gated",
                "task_failed": "Task failed",
                "overrides_ignored": "Override lines left out",
                "creator_access": "Creator access ending or lost"}[self.kind]
        return f"[kolpipe] {what}: {self.platform}, {self.logical_date.isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["logical_date"] = self.logical_date.isoformat()
        data["top_reasons"] = [{"reason": r, "accounts": n} for r, n in self.top_reasons]
        data["title"] = self.title
        return data


# ---------------------------------------------------------------------------------------------
# Building alerts
# ---------------------------------------------------------------------------------------------

def alert_for_failed_check(result: QualityResult, *, run_id: str | None = None,
                           log_url: str | None = None, paths: Paths | None = None) -> Alert:
    """The alert for a raw-data check result that failed (validate.validate_landed)."""
    from kolpipe.core import files

    paths = paths or default_paths()
    failed = [f"{f.platform}__{f.entity}: {f.rule} — {f.summary}"
              for f in result.failed_expectations if f.severity == "table"]
    failed += [f"{result.platform}__{entity}: {counts.rows_quarantined} rows quarantined ("
               + ", ".join(f"{reason} {n}" for reason, n in
                           sorted(counts.quarantined_by_reason.items())) + ")"
               for entity, counts in result.entities.items() if counts.rows_quarantined]
    where = [str(result.results_path or run_record(paths, "quality", result.logical_date,
                                                   f"{result.platform}.json"))]
    if result.quarantined_total:
        where.append(str(files.quarantine_file(paths, result.platform, result.logical_date)))
    if log_url:
        where.append(log_url)
    return Alert("data_check_failed", result.logical_date, result.platform, failed, where,
                 run_id=run_id)


def alert_for_gated_accounts(logical_date: date, platform: str,
                             verdicts: Iterable[Mapping[str, Any]], *,
                             run_id: str | None = None,
                             where_to_look: Iterable[str] = ()) -> Alert | None:
    """The alert for accounts the gate failed or sent to review, or None when there are none.

    Each verdict has `account_id`, `verdict` (pass / review / fail) and `reason_codes` (a list,
    or one string separated by commas or semicolons)."""
    gated = [v for v in verdicts if v["verdict"] in GATED_VERDICTS]
    if not gated:
        return None
    reasons: Counter = Counter()
    accounts = []
    for verdict in sorted(gated, key=lambda v: (GATED_VERDICTS.index(v["verdict"]),
                                                str(v["account_id"]))):
        codes = _reason_codes(verdict.get("reason_codes"))
        reasons.update(set(codes))
        accounts.append(f"{verdict['account_id']} ({verdict['verdict']}: "
                        f"{', '.join(codes) or 'no reason given'})")
    by_verdict = Counter(v["verdict"] for v in gated)
    summary = ", ".join(f"{by_verdict[v]} {v}" for v in GATED_VERDICTS if by_verdict[v])
    return Alert("accounts_gated", logical_date, platform,
                 [f"{len(gated)} account(s) gated on {platform}: {summary}"],
                 list(where_to_look), gated_by_verdict=dict(by_verdict),
                 top_reasons=sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS],
                 gated_accounts=accounts, run_id=run_id)


def alert_for_ignored_overrides(logical_date: date, problems: list[str], *,
                                where_to_look: Iterable[str] = (),
                                run_id: str | None = None) -> Alert | None:
    """The alert for lines of overrides.csv the gate left out (each problem names the file,
    the line and the fix), or None when every line was read. The gate ran without them."""
    if not problems:
        return None
    return Alert("overrides_ignored", logical_date, ALL_PLATFORMS,
                 [f"{len(problems)} override line(s) left out; the gate ran without them",
                  *problems[:LISTED_ACCOUNTS]], list(where_to_look), run_id=run_id)


def alert_for_consent_events(logical_date: date, platform: str, events: list[dict], *,
                             where_to_look: Iterable[str] = (),
                             run_id: str | None = None) -> Alert | None:
    """The alert for creators whose consent ends within days (repeated daily until they
    connect again), was revoked or ended today (extract/authorized.py), or None. Each line
    says what to do."""
    if not events:
        return None
    order = {"revoked": 0, "ended": 1, "ending": 2}
    lines = []
    for e in sorted(events, key=lambda e: (order[e["event"]], e["days_left"] or 0,
                                           e["kol_id"]))[:LISTED_ACCOUNTS]:
        who = f"{e['kol_id']} (@{e['handle']})"
        relink = (f"send them the link from `kolpipe creators link {platform} {e['kol_id']} "
                  "--redirect-uri <your app's>`")
        lines.append({
            "revoked": f"{who}: consent revoked today; read as public data from now on; "
                       f"if that was a mistake, {relink}",
            "ended": f"{who}: consent ended today; read as public data from now on; {relink}",
            "ending": f"{who}: consent ends in {e['days_left']} day(s) "
                      f"({(e['consent_expires_at'] or '')[:10]}); {relink}",
        }[e["event"]])
    counts = Counter(e["event"] for e in events)
    head = ", ".join(f"{counts[k]} {k}" for k in order if counts[k])
    return Alert("creator_access", logical_date, platform,
                 [f"creator access on {platform}: {head}", *lines], list(where_to_look),
                 run_id=run_id)


def _reason_codes(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [code.strip() for code in re.split(r"[;,]", value) if code.strip()]
    return [str(code) for code in value]


def alert_for_task_failure(context: Mapping[str, Any]) -> Alert:
    """The alert for an Airflow task failure, from the task context (ti, dag_run,
    logical_date, exception)."""
    from kolpipe.validate import RawDataCheckFailed

    ti = context["ti"]
    dag_run = context.get("dag_run")
    run_id = getattr(ti, "run_id", None) or getattr(dag_run, "run_id", None)
    log_url = getattr(ti, "log_url", None)
    exception = context.get("exception")
    if isinstance(exception, RawDataCheckFailed):
        return alert_for_failed_check(exception.result, run_id=run_id, log_url=log_url)
    when = (context.get("logical_date") or getattr(dag_run, "logical_date", None)
            or getattr(dag_run, "run_after", None))
    logical_date = when.date() if isinstance(when, datetime) else when
    platform = next((p for p in PLATFORMS if ti.task_id.endswith(f"_{p}")), ALL_PLATFORMS)
    message = (str(exception).strip().splitlines() or [""])[0][:300] if exception else ""
    failed = [f"task {ti.dag_id}.{ti.task_id} failed"
              + (f": {type(exception).__name__}: {message}" if exception else "")]
    return Alert("task_failed", logical_date, platform, failed,
                 [log_url] if log_url else [], run_id=run_id)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def render_text(alert: Alert) -> str:
    """The plain-text message: e-mail body and Slack fallback text."""
    lines = [alert.title, "", f"Date: {alert.logical_date.isoformat()}",
             f"Platform: {alert.platform}", "", "What failed:"]
    lines += [f"  - {line}" for line in alert.failed]
    if alert.gated_accounts:
        lines += ["", "Top reasons (accounts):"]
        lines += [f"  - {reason}: {n}" for reason, n in alert.top_reasons]
        lines += ["", "Gated accounts:"]
        lines += [f"  - {account}" for account in alert.gated_accounts[:LISTED_ACCOUNTS]]
        if len(alert.gated_accounts) > LISTED_ACCOUNTS:
            lines.append(f"  ... and {len(alert.gated_accounts) - LISTED_ACCOUNTS} more")
    if alert.where_to_look:
        lines += ["", "Where to look:"] + [f"  - {where}" for where in alert.where_to_look]
    if alert.run_id:
        lines += ["", f"Airflow run: {alert.run_id}"]
    return "\n".join(lines) + "\n"


def render_slack(alert: Alert) -> dict[str, Any]:
    """Slack incoming-webhook payload: blocks, with `text` as the notification fallback."""
    def section(title: str, items: list[str]) -> dict[str, Any]:
        body = "\n".join(f"• {item}" for item in items)
        # Slack rejects a section text over 3000 characters.
        return {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}"[:3000]}}

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": alert.title[:150]}},
        section("What failed", alert.failed),
    ]
    if alert.gated_accounts:
        blocks.append(section("Top reasons (accounts)",
                              [f"`{reason}`: {n}" for reason, n in alert.top_reasons]))
        hidden = len(alert.gated_accounts) - LISTED_ACCOUNTS
        blocks.append(section("Gated accounts", alert.gated_accounts[:LISTED_ACCOUNTS]
                              + ([f"... and {hidden} more"] if hidden > 0 else [])))
    if alert.where_to_look:
        blocks.append(section("Where to look", alert.where_to_look))
    return {"text": render_text(alert), "blocks": blocks}


def render_email(alert: Alert, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = alert.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(render_text(alert))
    return message
