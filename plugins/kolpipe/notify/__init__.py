"""Alerts: tell people when a raw-data check fails, accounts get gated, lines of the overrides
file are left out, a creator's consent is ending or lost, or a task fails.

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

The modules: `alerts` (what an alert says, built from the stage results, and how it reads) and
`channels` (sending it). This package holds the Airflow callback.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from kolpipe.notify.alerts import (
    ALL_PLATFORMS,
    GATED_VERDICTS,
    KINDS,
    Alert,
    alert_for_consent_events,
    alert_for_failed_check,
    alert_for_gated_accounts,
    alert_for_ignored_overrides,
    alert_for_task_failure,
    render_email,
    render_slack,
    render_text,
)
from kolpipe.notify.channels import CHANNELS, Delivery, send

__all__ = [
    "ALL_PLATFORMS",
    "CHANNELS",
    "GATED_VERDICTS",
    "KINDS",
    "Alert",
    "Delivery",
    "alert_for_consent_events",
    "alert_for_failed_check",
    "alert_for_gated_accounts",
    "alert_for_ignored_overrides",
    "alert_for_task_failure",
    "on_failure_callback",
    "render_email",
    "render_slack",
    "render_text",
    "send",
]

log = logging.getLogger(__name__)


def on_failure_callback(context: Mapping[str, Any]) -> None:
    """Airflow task callback (`on_failure_callback=notify.on_failure_callback`). A failed raw
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
