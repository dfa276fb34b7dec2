"""Instagram Graph API (v23.0): other accounts' public counts and media through Business
Discovery on our own IG User node.

GET /{our-ig-user-id}?fields=business_discovery.username(<handle>){<user fields>,
    media.limit(50).after(<cursor>){<media fields>}}
Media are returned newest first; paging stops once a page reaches posts older than the window.
`like_count` is omitted when the account hides likes: stored as null, never as 0.
No follower or comment samples: Business Discovery returns neither a follower list nor
comments, and the IG Media comments edge (GET /{ig-media-id}/comments) needs a token of the
account that owns the media (instagram_manage_comments), so other KOLs' comments are out of
reach. Only comments_count is landed.
Doc: developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ +
ig-user/business_discovery and ig-media/comments (Graph API v23.0; comments reference updated
2025-01-21).
"""

from __future__ import annotations

import httpx

from kolpipe.core.fields import check_requested
from kolpipe.extract.base import Extraction, count, parse_time, required_count
from kolpipe.extract.http import (
    RETRIABLE_STATUS,
    AccountError,
    ApiClient,
    Connection,
    PlatformError,
    meta_usage,
)
from kolpipe.registry import RegistryAccount

API_VERSION = "v23.0"
PAGE_SIZE = 50
# Checked against what the landing reads (core/fields.py API_FIELDS) when imported.
USER_FIELDS = check_requested(
    "instagram", "id,username,name,biography,website,followers_count,follows_count,media_count",
    "accounts")
MEDIA_FIELDS = check_requested(
    "instagram", "id,caption,media_type,media_product_type,timestamp,permalink,like_count,"
    "comments_count,view_count", "posts", "post_metrics")


def make_client(conn: Connection, as_of: str | None = None, **options) -> ApiClient:
    return ApiClient(conn, auth="param", token_param="access_token", as_of=as_of, **options)


def extract(client: ApiClient, accounts: list[RegistryAccount], out: Extraction) -> None:
    version = client.conn.extra.get("api_version", API_VERSION)
    our_user = client.conn.extra.get("ig_user_id")
    if not our_user:
        raise PlatformError("instagram: connection kol_instagram needs extra.ig_user_id, the id "
                            "of the business account whose token reads Business Discovery",
                            "connection")
    for account in accounts:
        with out.guard([account]):
            _extract_account(client, f"{version}/{our_user}", account, out)


def _extract_account(client: ApiClient, path: str, account: RegistryAccount,
                     out: Extraction) -> None:
    cursor = None
    while True:
        media = f"media.limit({PAGE_SIZE})" + (f".after({cursor})" if cursor else "")
        fields = (f"business_discovery.username({account.handle})"
                  f"{{{USER_FIELDS},{media}{{{MEDIA_FIELDS}}}}}")
        body = client.request("GET", path, params={"fields": fields},
                              on_error=lambda r: classify_error(r, account))
        user = body["business_discovery"]
        if cursor is None:
            if str(user.get("id")) != account.account_id:
                raise AccountError("renamed_handle", f"instagram {account.kol_id}: handle "
                                   f"@{account.handle} now belongs to another account; update the "
                                   f"handle of account {account.account_id} in the registry")
            if out.add_account(account, {k: v for k, v in user.items() if k != "media"},
                               account_row) is None:
                return
        page = user.get("media", {})
        reached_older = False
        for item in page.get("data", []):
            try:
                published = parse_time(item["timestamp"])
            except (KeyError, TypeError, ValueError, AttributeError):
                out.add("posts", account.account_id, item, post_row)  # quarantined with why
                continue
            if published < out.window_start:
                reached_older = True
                continue
            if published >= out.window_end:
                continue
            out.add_post(account.account_id, item, post_row, metrics_row)
        next_cursor = page.get("paging", {}).get("cursors", {}).get("after")
        if reached_older or not page.get("paging", {}).get("next") or not next_cursor:
            return
        if next_cursor == cursor:
            raise PlatformError(f"instagram: the API repeated cursor {cursor!r} for "
                                f"@{account.handle}; stopping instead of looping")
        cursor = next_cursor


def classify_error(response: httpx.Response, account: RegistryAccount) -> None:
    error = meta_error(response)
    code, subcode = error.get("code"), error.get("error_subcode")
    if code == 190:
        raise PlatformError("instagram: the access token is invalid or expired (OAuth code 190). "
                            "Long-lived tokens last about 60 days: refresh it and update the "
                            "password of connection kol_instagram", "token_expired")
    if code == 110 or subcode == 2207013:
        raise AccountError("not_found", f"instagram {account.kol_id}: @{account.handle} not "
                           "found by Business Discovery: renamed, deleted, private or not a "
                           "business/creator account; check the handle in the registry")
    if code in (4, 17, 32, 613, 80001, 80002):
        # 80001/80002: the Business Use Case limit of the Instagram account or page
        _, regain = meta_usage(response.headers)
        when = f"access returns in about {regain:.0f} min; " if regain else ""
        raise PlatformError(f"instagram: rate limit reached (code {code}); {when}the gap is "
                            "recorded and the next run resumes, or lower the platform's pool size",
                            "rate_limit")
    if not error and response.status_code not in (401, 403, *RETRIABLE_STATUS):
        # a truncated or foreign error body: it cannot say more than that this account failed
        raise AccountError("unreadable_error", f"instagram {account.kol_id}: @{account.handle}: "
                           f"HTTP {response.status_code} with an unreadable error body")


def meta_error(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def account_row(user: dict) -> dict:
    return {
        "username": user["username"], "name": user.get("name"),
        "biography": user.get("biography"), "website": user.get("website"),
        "followers_count": required_count(user, "followers_count"),
        "follows_count": count(user.get("follows_count")),
        "media_count": count(user.get("media_count")),
    }


def post_row(item: dict) -> dict:
    return {
        "id": str(item["id"]), "timestamp": parse_time(item["timestamp"]),
        "caption": item.get("caption"), "media_type": item["media_type"],
        "media_product_type": item.get("media_product_type"), "permalink": item.get("permalink"),
    }


def metrics_row(item: dict) -> dict:
    return {
        "id": str(item["id"]), "like_count": count(item.get("like_count")),
        "comments_count": required_count(item, "comments_count"),
        "view_count": count(item.get("view_count")),
    }
