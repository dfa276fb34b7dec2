"""Alert channels: Airflow connections read with the platform clients' lookup
(kolpipe.core.connections); delivery on each, once per alert and run, never raising for a
channel problem and never logging a URL or a secret."""

from __future__ import annotations

import json
import logging
import re
import smtplib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import httpx

from kolpipe.core import connections
from kolpipe.core.connections import Connection
from kolpipe.core.paths import Paths, run_record
from kolpipe.core.paths import paths as default_paths
from kolpipe.notify.alerts import Alert, render_email, render_slack, render_text

log = logging.getLogger("kolpipe.notify")  # the stage's logger, whichever module logs
# httpx logs each request's URL at INFO, and a Slack webhook's URL is its secret (the platform
# clients do the same in kolpipe.extract.http).
logging.getLogger("httpx").setLevel(logging.WARNING)

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Delivery:
    channel: str  # the connection id, e.g. kol_alert_slack
    ok: bool
    detail: str  # "delivered", or what went wrong; never a URL or a secret


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
        except connections.ConnectionInvalid as exc:  # its message never holds the secret
            deliveries.append(Delivery(conn_id, False, str(exc)))
            log.warning("%s: alert via %s failed: %s", alert.title, conn_id, exc)
            continue
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
    record = run_record(paths, "alerts", alert.logical_date,
                        f"{alert.kind}__{alert.platform}__{run_key}.json")
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

