"""Creator-authorized extraction: for each account the registry marks `access: authorized`,
the creator's grant is checked, refreshed before it expires and used for that account's
first-party calls. An account whose creator has not connected, whose consent ended or was
revoked, is recorded in the gaps with that reason and falls back to public data.

Each platform's authorized API is one module (AUTHORIZED_MODULES) offering: APP_CONNECTION
(the app's client id and secret), ADDS_TO_PUBLIC (whether the public client still reads the
account too), authorize_url, exchange_code, refresh, make_client and extract.
"""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime, timedelta

import httpx

from kolpipe.core import connections
from kolpipe.core.connections import Connection
from kolpipe.extract.base import Extraction
from kolpipe.extract.grants import REFRESH_MARGIN, WARN_DAYS, Grant
from kolpipe.extract.http import AccountError, ApiClient, PlatformError
from kolpipe.registry import RegistryAccount

log = logging.getLogger(__name__)

AUTHORIZED_MODULES = {"tiktok": "tiktok_display", "instagram": "instagram_login",
                      "youtube": "youtube_analytics"}
# Gap kinds of this stage, as account_gaps shows them.
NOT_CONNECTED, CONSENT_REVOKED, CONSENT_EXPIRED = "not_connected", "consent_revoked", \
    "consent_expired"


class ConsentRevoked(AccountError):
    """The platform refused the creator's grant: consent withdrawn or the grant invalidated."""

    def __init__(self, message: str):
        super().__init__(CONSENT_REVOKED, message)


def token_request(app: Connection, url: str, form: dict, account_id: str, now: datetime,
                  credentials: tuple[str, str] = ("client_id", "client_secret")) -> dict:
    """POST an OAuth 2.0 token request (a code exchange or a refresh) as a form, with the app's
    credentials under the names the platform uses. Errors come as RFC 6749's
    {"error", "error_description"}, sometimes with HTTP 200 (TikTok): invalid_grant or
    access_denied (a code or refresh token expired, revoked or rotated away) is the creator's
    consent gone; a refused client is the app's connection, which stops the platform."""
    base, path = url.rstrip("/").rsplit("/", 1)
    path += "/" if url.endswith("/") else ""  # TikTok's path ends with a slash
    endpoint = Connection(app.platform, base, app.token, app.extra, app.login)

    def refused(body: dict) -> None:
        error = body.get("error")
        if not error or not isinstance(error, str):
            return
        detail = f"{error}: {body.get('error_description', '')}".rstrip(": ")
        if error in ("invalid_grant", "access_denied"):
            raise ConsentRevoked(f"{app.platform} refused the creator's grant ({detail}); the "
                                 "creator must connect again")
        if error in ("invalid_client", "unauthorized_client"):
            raise PlatformError(f"{app.platform}: the app's OAuth client was refused ({detail});"
                                f" check connection kol_{app.platform}_creators (login = the "
                                "client id or key, password = the client secret)",
                                "token_rejected")
        raise AccountError("api_error", f"{app.platform} token endpoint for {account_id}: "
                           f"{detail}")

    with ApiClient(endpoint, auth="none", as_of=sandbox_day(now)) as client:
        body = client.request("POST", path, on_error=lambda r: refused(json_object(r)),
                              form={credentials[0]: app.login, credentials[1]: app.token,
                                    **form})
    refused(body)
    return body


def json_object(response: httpx.Response) -> dict:
    """An error response's JSON object, or {} when it has none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def module_for(platform: str):
    return importlib.import_module(f"kolpipe.extract.{AUTHORIZED_MODULES[platform]}")


def app_connection(platform: str) -> Connection:
    """The platform app's OAuth client (login = client id/key, password = client secret)."""
    return connections.read(module_for(platform).APP_CONNECTION)


def clock(app: Connection, extracted_at: datetime) -> datetime:
    """Tokens expire in real time; the sandbox's expire on its simulated clock."""
    return extracted_at if app.extra.get("sandbox") else datetime.now(UTC)


def sandbox_day(now: datetime) -> str:
    """The date a token call is made on, for the sandbox's clock (real APIs ignore it): a
    day's run happens at the end of its logical date."""
    return (now - timedelta(seconds=1)).date().isoformat()


def extract(platform: str, accounts: list[RegistryAccount], out: Extraction, store,
            as_of: str, no_public: Exception | None = None) -> list[RegistryAccount]:
    """Extract the authorized accounts; returns the accounts the public client must read.
    With `no_public` (the platform's public connection is unusable), those accounts are
    recorded as gaps for that reason instead."""
    public = [a for a in accounts if a.access != "authorized"]
    authorized = [a for a in accounts if a.access == "authorized"]
    if authorized:
        public += _extract_authorized(platform, authorized, out, store, as_of)
    if no_public is None:
        return public
    for account in public:
        out.account_failed(account, getattr(no_public, "kind", "connection"),
                           f"{platform} {account.kol_id}: no public access: {no_public}")
    return []


def _extract_authorized(platform: str, authorized: list[RegistryAccount], out: Extraction,
                        store, as_of: str) -> list[RegistryAccount]:
    public: list[RegistryAccount] = []
    module = module_for(platform)
    try:
        app = app_connection(platform)
    except (connections.ConnectionMissing, connections.ConnectionInvalid) as exc:
        for account in authorized:
            out.account_failed(account, NOT_CONNECTED, f"{platform} {account.kol_id}: no "
                               f"creator-authorized data, {exc}; read as public today", True)
        return authorized
    now = clock(app, out.extracted_at)
    for account in authorized:
        grant = _usable_grant(module, app, store, account, out, now)
        if grant is None:
            public.append(account)
            continue
        days_left = grant.days_left(now)
        if days_left is not None and days_left <= WARN_DAYS:
            _event(out, account, "ending", grant, days_left)
        with out.guard([account]) as guard, module.make_client(app, grant, as_of) as client:
            module.extract(client, account, out)
            out.stats.calls += client.stats.calls
            out.stats.retries += client.stats.retries
        if not guard.failed:
            out.read_with_grant.append(account.account_id)
        revoked = guard.failed and out.account_errors[-1]["kind"] == CONSENT_REVOKED
        if revoked:
            store.put(grant.revoked(out.account_errors[-1]["message"]))
            _event(out, account, "revoked", grant)
        if revoked or module.ADDS_TO_PUBLIC:
            if guard.failed:  # the public read still observes the account today
                out.account_errors[-1]["first_party_only"] = True
            public.append(account)
    return public


def _usable_grant(module, app: Connection, store, account: RegistryAccount, out: Extraction,
                  now: datetime) -> Grant | None:
    """The account's grant, refreshed if due; None (with the gap recorded) when there is none
    to use."""
    where = f"{out.platform} {account.kol_id} (@{account.handle})"

    def gap(kind: str, message: str) -> None:  # the public read observes the account today
        out.account_failed(account, kind, f"{where}: {message}; read as public today", True)

    grant = store.get(out.platform, account.account_id)
    if grant is None:
        gap(NOT_CONNECTED, "the creator has not connected the account; send them the link "
            f"from `kolpipe creators link {out.platform} {account.kol_id}`")
        return None
    if grant.status == "revoked":
        gap(CONSENT_REVOKED, f"consent revoked ({grant.status_reason})")
        return None
    if grant.status == "ended" or grant.consent_ended(now):
        gap(CONSENT_EXPIRED, f"the creator's consent ended on "
            f"{grant.consent_expires_at:%Y-%m-%d}; ask them to connect again")
        if grant.status != "ended":
            store.put(grant.ended())
            _event(out, account, "ended", grant)
        return None
    if grant.needs_refresh(now, getattr(module, "REFRESH_BEFORE", REFRESH_MARGIN)):
        try:
            grant = module.refresh(app, grant, now)
        except ConsentRevoked as exc:
            store.put(grant.revoked(str(exc)))
            gap(CONSENT_REVOKED, str(exc))
            _event(out, account, "revoked", grant)
            return None
        except AccountError as exc:
            gap(exc.kind, f"refreshing the grant failed: {exc}")
            return None
        store.put(grant)
        log.info("%s: grant refreshed, access token valid until %s", where,
                 grant.expires_at.isoformat())
    return grant


def _event(out: Extraction, account: RegistryAccount, event: str, grant: Grant,
           days_left: int | None = None) -> None:
    out.consent_events.append({
        "platform": out.platform, "kol_id": account.kol_id, "account_id": account.account_id,
        "handle": account.handle, "event": event, "days_left": days_left,
        "consent_expires_at": (grant.consent_expires_at.isoformat()
                               if grant.consent_expires_at else None)})
