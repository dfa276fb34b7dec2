"""Alerts: tell people when a raw-data check fails, accounts get gated or a task fails.

Channels are Airflow connections, read with the same lookup as the platform clients
(`kolpipe.core.connections`), so AIRFLOW_CONN_KOL_ALERT_* variables, secrets backends and the
Airflow UI all work:

  kol_alert_slack    conn type http; host https://hooks.slack.com/services, password the
                     webhook's path T.../B.../... (or host the whole webhook URL)
  kol_alert_smtp     conn type smtp; host and password; extra: port, login, from, to (a list or
                     comma-separated), starttls (default true), timeout
  kol_alert_webhook  conn type http; host the URL to POST the alert's JSON to; password, if
                     set, is sent as a bearer token

Rules: no channel configured is a log line, not an error; a channel that is down (refused,
timeout, 5xx) never raises: its Delivery says so and is logged under the channel's name only,
never its URL, login or password. One alert per (kind, date, platform) per Airflow run: the
first sender claims a record file under runs/alerts/, later senders in the same run skip.
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import httpx

from kolpipe.core import connections
from kolpipe.core.connections import Connection
from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.core.paths import paths as default_paths

if TYPE_CHECKING:
    from kolpipe.validate import QualityResult

log = logging.getLogger(__name__)

KINDS = ("data_check_failed", "accounts_gated", "task_failed")
ALL_PLATFORMS = "all"
GATED_VERDICTS = ("fail", "review")
LISTED_ACCOUNTS = 20  # accounts named in a message; the counts cover all of them
TOP_REASONS = 5
DEFAULT_TIMEOUT = 10.0


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
                "task_failed": "Task failed"}[self.kind]
        return f"[kolpipe] {what}: {self.platform}, {self.logical_date.isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["logical_date"] = self.logical_date.isoformat()
        data["top_reasons"] = [{"reason": r, "accounts": n} for r, n in self.top_reasons]
        data["title"] = self.title
        return data


@dataclass(frozen=True)
class Delivery:
    channel: str  # the connection id, e.g. kol_alert_slack
    ok: bool
    detail: str  # "delivered", or what went wrong; never a URL or a secret


# ---------------------------------------------------------------------------------------------
# Building alerts
# ---------------------------------------------------------------------------------------------

def alert_for_failed_check(result: QualityResult, *, run_id: str | None = None,
                           log_url: str | None = None, paths: Paths | None = None) -> Alert:
    """The alert for a raw-data check result that failed (validate.validate_landed)."""
    from kolpipe import validate

    paths = paths or default_paths()
    failed = [f"{f.platform}__{f.entity}: {f.rule} — {f.summary}"
              for f in result.failed_expectations if f.severity == "table"]
    failed += [f"{result.platform}__{entity}: {counts.rows_quarantined} rows quarantined ("
               + ", ".join(f"{reason} {n}" for reason, n in
                           sorted(counts.quarantined_by_reason.items())) + ")"
               for entity, counts in result.entities.items() if counts.rows_quarantined]
    where = [str(result.results_path or validate.results_path(paths, result.platform,
                                                             result.logical_date))]
    if result.quarantined_total:
        where.append(str(validate.quarantine_path(paths, result.platform, result.logical_date)))
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


def _reason_codes(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [code.strip() for code in re.split(r"[;,]", value) if code.strip()]
    return [str(code) for code in value]


def on_failure_callback(context: Mapping[str, Any]) -> None:
    """Airflow task callback (`on_failure_callback=alerts.on_failure_callback`). A failed raw
    check alerts as data_check_failed with its results; any other failure as task_failed.
    Never raises: a broken alert must not hide the task's own error. The join after the raw
    checks (RawDataNotReady) does not alert: the check or extract task that stopped it did."""
    from kolpipe.validate.freshness import RawDataNotReady

    if isinstance(context.get("exception"), RawDataNotReady):
        log.info("not alerting for %s: its upstream failure was alerted", context["ti"].task_id)
        return
    try:
        send(alert_for_task_failure(context))
    except Exception:
        log.exception("could not build or send the task-failure alert")


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


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------

def send(alert: Alert, paths: Paths | None = None) -> list[Delivery]:
    """Deliver `alert` on every configured channel; returns (and logs) one Delivery per
    channel. Never raises for a channel problem. Returns [] when no channel is configured or
    this run already sent the alert."""
    paths = paths or default_paths()
    record = _claim(alert, paths)
    if record is None:
        log.info("%s: already sent in this run, not sent again", alert.title)
        return []
    deliveries = []
    for conn_id, deliver in CHANNELS.items():
        try:
            conn = connections.read(conn_id)
        except connections.ConnectionMissing:
            continue  # this channel is not configured
        except Exception as exc:  # e.g. unreadable JSON in the variable
            deliveries.append(Delivery(conn_id, False, f"the connection cannot be read "
                                       f"({type(exc).__name__}); fix {conn_id}"))
            log.warning("%s: alert via %s failed: %s", alert.title, conn_id,
                        deliveries[-1].detail)
            continue
        deliveries.append(_deliver(conn_id, conn, deliver, alert))
    if not deliveries:
        log.warning("%s: not sent, no alert channel configured (create an Airflow connection "
                    "%s)\n%s", alert.title, ", ".join(CHANNELS), render_text(alert))
    record.write_text(json.dumps({"alert": alert.to_dict(),
                                  "deliveries": [asdict(d) for d in deliveries]},
                                 indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return deliveries


def _claim(alert: Alert, paths: Paths) -> Path | None:
    """Create this alert's record file, or None if another sender in this run already did.
    Exclusive creation makes the claim safe between parallel Airflow tasks."""
    run_key = re.sub(r"[^A-Za-z0-9_.-]+", "_", alert.run_id or "no_run_id")
    record = (paths.runs / "alerts" / f"dt={alert.logical_date.isoformat()}"
              / f"{alert.kind}__{alert.platform}__{run_key}.json")
    record.parent.mkdir(parents=True, exist_ok=True)
    try:
        with record.open("x", encoding="utf-8") as handle:
            handle.write("{}\n")
    except FileExistsError:
        return None
    return record


def _deliver(conn_id: str, conn: Connection, deliver: Callable[[Connection, Alert], None],
             alert: Alert) -> Delivery:
    try:
        deliver(conn, alert)
    except Exception as exc:  # any channel problem is reported, never raised
        delivery = Delivery(conn_id, False, _redact(_describe(exc), conn))
        log.warning("%s: alert via %s failed: %s", alert.title, conn_id, delivery.detail)
        return delivery
    log.info("%s: alert delivered via %s", alert.title, conn_id)
    return Delivery(conn_id, True, "delivered")


def _describe(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code} from the receiver"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the SMTP server answered {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the SMTP server closed the connection (wrong login or password?)"
    if isinstance(exc, smtplib.SMTPException):
        return f"SMTP {type(exc).__name__}"
    if isinstance(exc, httpx.TransportError | OSError):
        # httpx's messages can carry the URL; the exception type and errno cannot.
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return f"cannot connect: {reason}"
    return f"{type(exc).__name__}: {exc}"


def _redact(text: str, conn: Connection) -> str:
    for secret in (_slack_url(conn), conn.base_url, conn.token, conn.extra.get("login")):
        if secret:
            text = text.replace(str(secret), "***")
    return text


def _slack_url(conn: Connection) -> str:
    """host + password (the webhook path), or host alone when it holds the whole URL."""
    if not conn.token:
        return conn.base_url
    return f"{conn.base_url.rstrip('/')}/{conn.token.lstrip('/')}"


def _timeout(conn: Connection) -> float:
    return float(conn.extra.get("timeout", DEFAULT_TIMEOUT))


def _post_slack(conn: Connection, alert: Alert) -> None:
    response = httpx.post(_slack_url(conn), json=render_slack(alert), timeout=_timeout(conn))
    response.raise_for_status()


def _post_webhook(conn: Connection, alert: Alert) -> None:
    headers = {"Authorization": f"Bearer {conn.token}"} if conn.token else {}
    response = httpx.post(conn.base_url, json=alert.to_dict(), headers=headers,
                          timeout=_timeout(conn))
    response.raise_for_status()


def _send_email(conn: Connection, alert: Alert) -> None:
    extra = conn.extra
    recipients = extra.get("to") or []
    if isinstance(recipients, str):
        recipients = [r.strip() for r in recipients.split(",") if r.strip()]
    if not recipients or not extra.get("from"):
        raise ValueError("kol_alert_smtp needs extra.from and extra.to (the recipients)")
    with smtplib.SMTP(conn.base_url, conn.port or 587, timeout=_timeout(conn)) as smtp:
        if _flag(extra.get("starttls", True)):
            smtp.starttls()
        if conn.login:
            smtp.login(conn.login, conn.token)
        smtp.send_message(render_email(alert, extra["from"], recipients))


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes")


# connection id -> how to deliver on it; the order alerts go out in
CHANNELS: dict[str, Callable[[Connection, Alert], None]] = {
    "kol_alert_slack": _post_slack,
    "kol_alert_smtp": _send_email,
    "kol_alert_webhook": _post_webhook,
}

