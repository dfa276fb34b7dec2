"""Creators who connect their accounts (OAuth), as the sandbox plays them: who consents, since
when, who revokes and when, and the tokens issued to the pipeline.

Tokens are signed, not stored: a token carries its platform, account, kind, issue time and the
consent's start, so a restarted sandbox still accepts the tokens it issued (the grants live in
Airflow Variables across runs). Unlike TikTok, the sandbox does not invalidate a refresh token
once rotated; the client keeps the newest one anyway. Time is the sandbox's clock: the end of
the date the request is served as of.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.draws import rng
from kolpipe_tools.sandbox.world import Account, World

# Each platform's app credentials in the sandbox (connection kol_<platform>_creators).
CLIENTS = {platform: (f"sandbox-{platform}-client", f"sandbox-{platform}-client-secret")
           for platform in ("tiktok", "instagram", "youtube")}
# Share of a platform's accounts whose creator connected: TikTok's Display API is the only
# access a commercial user has there (docs/access.md).
AUTHORIZED_SHARE = {"tiktok": 0.5, "instagram": 0.25, "youtube": 0.25}
# When the consent began, in days from the reference date (so that a few of TikTok's 180-day
# consents end, or are about to, in the weeks the demo runs), and a share of creators revoke
# it later.
CONSENT_STARTED_DAYS = (140, 290)
REVOKE_SHARE = 0.08
REVOKE_AFTER_DAYS = (20, 200)
# Token lifetimes as each platform documents them (TikTok: "Manage OAuth Access Tokens",
# updated 2026-11-05: access 2 hours, refresh 180 days, rotated on every refresh).
LIFETIMES = {
    "tiktok": {"a": timedelta(hours=2), "consent": timedelta(days=180)},
    "instagram": {"a": timedelta(days=60), "consent": None},
    "youtube": {"a": timedelta(hours=1), "consent": None},
}
_KEY = b"kolpipe-sandbox-signing-key"


@dataclass(frozen=True)
class Consent:
    account: Account
    since: date
    revoked_on: date | None

    def ends_at(self) -> datetime | None:
        lifetime = LIFETIMES[self.account.platform]["consent"]
        return None if lifetime is None else end_of(self.since) + lifetime

    def active_on(self, as_of: date) -> bool:
        ends = self.ends_at()
        return ((self.revoked_on is None or as_of < self.revoked_on)
                and (ends is None or end_of(as_of) < ends))


def consent(world: World, account: Account) -> Consent | None:
    """Whether the account's creator connected it, and its history; None if never."""
    share = AUTHORIZED_SHARE.get(account.platform, 0.0)
    source = rng(world.seed, "consent", account.key)
    if source.random() >= share:
        return None
    since = c.REFERENCE_DATE + timedelta(days=source.randint(*CONSENT_STARTED_DAYS))
    revoked = (since + timedelta(days=source.randint(*REVOKE_AFTER_DAYS))
               if source.random() < REVOKE_SHARE else None)
    return Consent(account, since, revoked)


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def sign(payload: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True).encode()).decode()
    mac = hmac.new(_KEY, body.encode(), hashlib.sha256).hexdigest()[:20]
    return f"sbx.{body.rstrip('=')}.{mac}"


def unsign(token: str) -> dict | None:
    """The token's payload if the sandbox signed it, else None."""
    try:
        _, body, mac = token.split(".")
        expected = hmac.new(_KEY, (body + "=" * (-len(body) % 4)).encode(),
                            hashlib.sha256).hexdigest()[:20]
        if not hmac.compare_digest(mac, expected):
            return None
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, TypeError):
        return None


def issue(account: Account, kind: str, issued_at: datetime, since: date) -> str:
    """A code ("c"), access ("a") or refresh ("r") token for the account."""
    return sign({"p": account.platform, "u": account.user_id, "k": kind,
                 "t": int(issued_at.timestamp()), "s": since.isoformat()})


def token_set(account: Account, since: date, issued_at: datetime) -> dict:
    """What a code exchange or a refresh hands out, in seconds as the platforms count them."""
    lifetimes = LIFETIMES[account.platform]
    consent_end = (None if lifetimes["consent"] is None
                   else end_of(since) + lifetimes["consent"])
    return {
        "access_token": issue(account, "a", issued_at, since),
        "expires_in": int(lifetimes["a"].total_seconds()),
        "refresh_token": issue(account, "r", issued_at, since),
        "refresh_expires_in": (None if consent_end is None
                               else int((consent_end - issued_at).total_seconds())),
    }


def check(world: World, token: str, platform: str, kind: str, as_of: date
          ) -> tuple[Account | None, str]:
    """The account a token stands for, or None with why it is refused (unknown, expired,
    revoked)."""
    payload = unsign(token)
    if payload is None or payload["p"] != platform or payload["k"] != kind:
        return None, "invalid"
    account = world.account(platform, payload["u"])
    granted = consent(world, account) if account else None
    if account is None or granted is None:
        return None, "invalid"
    now = end_of(as_of)
    issued = datetime.fromtimestamp(payload["t"], tz=UTC)
    lifetime = LIFETIMES[platform]["a"] if kind == "a" else None
    if issued > now or (lifetime is not None and issued + lifetime <= now):
        return None, "expired"
    if granted.revoked_on is not None and as_of >= granted.revoked_on:
        return None, "revoked"
    if not granted.active_on(as_of):
        return None, "expired"
    return account, ""


def login(world: World, platform: str, user_id: str, as_of: date) -> str | None:
    """What a consent page answers when `user_id` logs in on the date: a code when the
    creator consents (their consent began and is active), else None (access denied). Each
    platform's route wraps it in its own redirect."""
    account = world.account(platform, user_id)
    granted = consent(world, account) if account else None
    if granted is None or granted.since > as_of or not granted.active_on(as_of):
        return None
    return issue(account, "c", end_of(as_of), granted.since)


def consent_code(link: str, account_id: str, as_of: date) -> str | None:
    """Play the creator on a date: open the consent page as the account and accept; returns
    the code the platform's redirect carries, or None when the creator does not consent."""
    from urllib.parse import parse_qs, urlsplit

    import httpx

    response = httpx.get(f"{link}&sandbox_user={account_id}", follow_redirects=False,
                         timeout=20, headers={"X-Sandbox-As-Of": as_of.isoformat()})
    query = parse_qs(urlsplit(response.headers.get("location", "")).query)
    return query.get("code", [None])[0]


def mark_authorized(world: World, entries: list[dict]) -> list[dict]:
    """The registry (World.kols) with `access: authorized` on every account whose creator
    connected it at some point, as a team would mark the creators who signed up."""
    for entry in entries:
        for platform, spec in entry["accounts"].items():
            account = world.account(platform, spec["account_id"])
            if account is not None and consent(world, account) is not None:
                spec["access"] = "authorized"
    return entries
