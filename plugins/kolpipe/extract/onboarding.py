"""Connecting creators (the `kolpipe creators` commands and the demo): the registry's
authorized accounts, the consent link, trading the code the consent returns for a grant, and
each grant's state without its tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from kolpipe.extract.authorized import app_connection, clock, module_for
from kolpipe.extract.grants import Grant
from kolpipe.registry import RegistryAccount


def authorized_accounts(platform: str | None = None, paths=None) -> list[RegistryAccount]:
    from kolpipe import registry
    from kolpipe.core.paths import paths as default_paths

    return [a for kol in registry.load((paths or default_paths()).registry) for a in kol.accounts
            if a.access == "authorized" and (platform is None or a.platform == platform)]


def find_account(platform: str, kol_id: str) -> RegistryAccount:
    for account in authorized_accounts(platform):
        if account.kol_id == kol_id:
            return account
    raise ValueError(f"{kol_id} has no {platform} account marked `access: authorized` in the "
                     "registry; add `access: authorized` to it first")


def link(platform: str, account: RegistryAccount, redirect_uri: str) -> str:
    """The page the creator opens to connect the account."""
    return module_for(platform).authorize_url(app_connection(platform), redirect_uri,
                                              f"{platform}:{account.kol_id}")


def connect(platform: str, account: RegistryAccount, code: str, redirect_uri: str, store,
            now: datetime | None = None) -> Grant:
    """Trade the code the creator's consent returned for a grant, and store it."""
    app = app_connection(platform)
    now = now or clock(app, datetime.now(UTC))
    grant = module_for(platform).exchange_code(app, account.account_id, code, redirect_uri, now)
    store.put(grant)
    return grant


def status_rows(store, now: datetime | None = None) -> list[dict]:
    """Each authorized account's grant, as `kolpipe creators status` shows it (no token)."""
    now = now or datetime.now(UTC)
    rows = []
    for account in authorized_accounts():
        grant = store.get(account.platform, account.account_id)
        rows.append({
            "platform": account.platform, "kol_id": account.kol_id, "handle": account.handle,
            "status": "not connected" if grant is None else grant.status,
            "access_token_until": grant.expires_at.isoformat() if grant else "",
            "consent_until": (grant.consent_expires_at.isoformat()
                              if grant and grant.consent_expires_at else ""),
            "days_left": "" if grant is None or grant.days_left(now) is None
            else grant.days_left(now)})
    return rows
