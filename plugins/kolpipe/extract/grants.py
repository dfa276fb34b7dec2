"""Creator grants: the tokens a creator gave us by connecting an account (OAuth), one per
platform account, kept in Airflow Variables (encrypted at rest with Airflow's Fernet key,
readable through any configured secrets backend, masked in task logs because the key names a
token) and never in files or the warehouse.

A grant is refreshed before its access token expires, and the refreshed grant is written back
at once: TikTok rotates its refresh token on every refresh, so only the newest one works.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from kolpipe.core import secrets

log = logging.getLogger(__name__)

# An access token this close to its end is refreshed before the day's calls.
REFRESH_MARGIN = timedelta(minutes=30)
# A consent that ends within this many days (a refresh token that cannot be renewed, such as
# TikTok's, 365 days after the creator connected) is alerted on, so the creator reconnects.
WARN_DAYS = int(os.environ.get("KOLPIPE_GRANT_WARN_DAYS", "14"))
STATUSES = ("active", "revoked", "ended")


@dataclass(frozen=True)
class Grant:
    platform: str
    account_id: str
    access_token: str
    expires_at: datetime  # the access token's end
    refresh_token: str | None = None
    # When the consent itself ends (a refresh token that is not renewed); None: until revoked.
    consent_expires_at: datetime | None = None
    scope: str = ""
    granted_at: datetime | None = None
    status: str = "active"
    status_reason: str = ""

    def __post_init__(self) -> None:
        for token in (self.access_token, self.refresh_token):
            if token:  # masked by this process's log records, not Airflow's (see register)
                secrets.register(token, airflow=False)

    def __repr__(self) -> str:  # never show a token
        return (f"Grant({self.platform!r}, {self.account_id!r}, status={self.status!r}, "
                f"expires_at={self.expires_at.isoformat()}, tokens=***)")

    @classmethod
    def from_token_reply(cls, platform: str, account_id: str, body: dict, now: datetime,
                         previous: Grant | None = None) -> Grant:
        """A grant from an OAuth token endpoint's reply (a code exchange or a refresh), in the
        fields the platforms share: access_token, expires_in and, where given, refresh_token,
        refresh_expires_in and scope. A refresh that returns no refresh token (Google,
        Instagram) keeps the previous one; a reply that names no end of the consent keeps the
        previous end."""
        access = body["access_token"]
        if not isinstance(access, str) or not access:
            raise ValueError("the token reply has no access_token")
        refresh_in = body.get("refresh_expires_in")
        return cls(
            platform, account_id, access,
            now + timedelta(seconds=int(body["expires_in"])),
            body.get("refresh_token") or (previous.refresh_token if previous else None),
            (now + timedelta(seconds=int(refresh_in)) if refresh_in is not None
             else previous.consent_expires_at if previous else None),
            str(body.get("scope") or (previous.scope if previous else "")),
            previous.granted_at if previous else now)

    def needs_refresh(self, now: datetime, before: timedelta = REFRESH_MARGIN) -> bool:
        """Whether the access token ends within `before` (a platform may ask for more: a
        60-day Instagram token is renewed a week ahead, so one missed day never loses it)."""
        return self.expires_at - before <= now

    def consent_ended(self, now: datetime) -> bool:
        return self.consent_expires_at is not None and self.consent_expires_at <= now

    def days_left(self, now: datetime) -> int | None:
        """Whole days until the consent ends; None when it lasts until revoked."""
        if self.consent_expires_at is None:
            return None
        return max(0, (self.consent_expires_at - now).days)

    def revoked(self, reason: str) -> Grant:
        return replace(self, status="revoked", status_reason=reason)

    def ended(self) -> Grant:
        return replace(self, status="ended", status_reason="the consent's term ran out")

    def to_json(self) -> str:
        data = asdict(self)
        for name in ("expires_at", "consent_expires_at", "granted_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, key: str) -> Grant:
        try:
            data = json.loads(text)
            for name in ("expires_at", "consent_expires_at", "granted_at"):
                data[name] = datetime.fromisoformat(data[name]) if data.get(name) else None
            grant = cls(**data)
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"Airflow Variable '{key}' is not a creator grant "
                             f"({type(exc).__name__}); connect the creator again with "
                             "`kolpipe creators connect`") from None
        if grant.status not in STATUSES or grant.expires_at.tzinfo is None:
            raise ValueError(f"Airflow Variable '{key}': status must be one of "
                             f"{', '.join(STATUSES)} and times carry a time zone")
        return grant


def variable_key(platform: str, account_id: str) -> str:
    """The Variable's key: Airflow masks the value of any key naming a token."""
    return f"kol_creator_token_{platform}_{re.sub(r'[^A-Za-z0-9_]', '_', account_id)}"


class AirflowGrants:
    """Grants in Airflow Variables. Inside a task, through the Task SDK (which asks the
    configured secrets backends first, then the API server); elsewhere, such as the
    `kolpipe creators` commands, directly in the metadata database as `airflow variables`
    does."""

    def get(self, platform: str, account_id: str) -> Grant | None:
        key = variable_key(platform, account_id)
        value = _variable().get(key, None)  # SDK and core name the default differently
        return None if value is None else Grant.from_json(value, key)

    def put(self, grant: Grant) -> None:
        _variable().set(variable_key(grant.platform, grant.account_id), grant.to_json(),
                        description=f"kolpipe creator grant: {grant.platform} "
                                    f"{grant.account_id}")


class ProcessGrants:
    """Grants for a run outside Airflow (a trial `kolpipe extract`, the demo's history): read
    from AIRFLOW_VAR_<KEY> as Airflow would, kept in this process when refreshed. A refreshed
    grant is lost when the process ends, so `put` says so once."""

    def __init__(self, grants: dict[str, Grant] | None = None):
        self.grants = dict(grants or {})
        self._warned = False

    def get(self, platform: str, account_id: str) -> Grant | None:
        key = variable_key(platform, account_id)
        if key not in self.grants:
            value = os.environ.get(f"AIRFLOW_VAR_{key.upper()}")
            if value is None:
                return None
            self.grants[key] = Grant.from_json(value, key)
        return self.grants[key]

    def put(self, grant: Grant) -> None:
        self.grants[variable_key(grant.platform, grant.account_id)] = grant
        if not self._warned:
            log.warning("outside Airflow: refreshed creator grants are kept in this process "
                        "only; run the extraction in Airflow to keep them")
            self._warned = True


def _in_airflow_task() -> bool:
    import sys

    runner = sys.modules.get("airflow.sdk.execution_time.task_runner")
    return getattr(runner, "SUPERVISOR_COMMS", None) is not None


def _variable():
    if _in_airflow_task():
        from airflow.sdk import Variable

        return Variable
    # the Task SDK cannot write outside a task; the metadata DB's model can
    from airflow.models import Variable as MetadataVariable  # noqa: AIR311

    return MetadataVariable  # noqa: AIR311


_PROCESS = ProcessGrants()


def default_store() -> AirflowGrants | ProcessGrants:
    """Inside Airflow, its Variables; elsewhere this process's grants, shared by every
    extraction the process runs so a refreshed (rotated) grant serves the next day."""
    return AirflowGrants() if _in_airflow_task() else _PROCESS
