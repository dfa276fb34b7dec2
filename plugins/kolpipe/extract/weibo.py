"""Weibo Open API (v2): users/show.json by uid, statuses/user_timeline.json (count up to 100,
page from 1). Samples: friendships/followers.json (count up to 200, cursor; the newest
followers with full user objects) and comments/show.json per recent post (id, count, page).
The open timeline returns only the authorising user's own posts; other KOLs' posts need the
commercial API (connection extra "access": "commercial"). Errors come as {"error",
"error_code", "request"}; 21327/21332 mean an expired or invalid token.
Doc: open.weibo.com/wiki/2/users/show, open.weibo.com/wiki/2/statuses/user_timeline,
open.weibo.com/wiki/2/friendships/followers, open.weibo.com/wiki/2/comments/show (API v2 wiki).
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from kolpipe.extract.base import (
    COMMENTS_PER_POST,
    FOLLOWER_SAMPLE_SIZE,
    Extraction,
    count,
    required_count,
)
from kolpipe.extract.http import (
    RETRIABLE_STATUS,
    AccountError,
    ApiClient,
    Connection,
    PlatformError,
)
from kolpipe.registry import RegistryAccount

PAGE_SIZE = 100
TOKEN_ERRORS = {21314, 21315, 21316, 21317, 21327, 21332}


def make_client(conn: Connection, as_of: str | None = None, **options) -> ApiClient:
    return ApiClient(conn, auth="param", token_param="access_token", as_of=as_of, **options)


def extract(client: ApiClient, accounts: list[RegistryAccount], out: Extraction) -> None:
    commercial = client.conn.extra.get("access") == "commercial"
    if not commercial and accounts:
        raise PlatformError(
            "weibo: the open statuses/user_timeline returns only the authorising user's own "
            "posts, so other KOLs' posts cannot be read with this token. Use a commercial API "
            "token and set extra {\"access\": \"commercial\"} on connection kol_weibo",
            "access_denied")
    for account in accounts:
        with out.guard([account]):
            user = client.request("GET", "2/users/show.json", params={"uid": account.account_id},
                                  on_error=lambda r, a=account: _classify(r, a))
            if out.add_account(account, user, _account_row) is None:
                continue
            young_posts = _extract_posts(client, account, out)
            _sample_followers(client, account, out)
            for status_id in young_posts:
                _sample_comments(client, account, status_id, out)


def _sample_followers(client: ApiClient, account: RegistryAccount, out: Extraction) -> None:
    out.add_sample("follower_samples", account.account_id, lambda: client.request(
        "GET", "2/friendships/followers.json",
        params={"uid": account.account_id, "count": FOLLOWER_SAMPLE_SIZE, "cursor": 0},
        on_error=lambda r: _classify(r, account)).get("users", []), _follower_row)


def _sample_comments(client: ApiClient, account: RegistryAccount, status_id: str,
                     out: Extraction) -> None:
    out.add_sample("comment_samples", account.account_id, lambda: client.request(
        "GET", "2/comments/show.json",
        params={"id": status_id, "count": COMMENTS_PER_POST, "page": 1},
        on_error=lambda r: _classify(r, account)).get("comments", []), _comment_row,
        f"weibo status {status_id}: ")


def _extract_posts(client: ApiClient, account: RegistryAccount, out: Extraction) -> list[str]:
    """Lands the user's posts in the window; returns the ids of those due a comment sample."""
    page, young = 1, []
    while True:
        body = client.request("GET", "2/statuses/user_timeline.json",
                              params={"uid": account.account_id, "count": PAGE_SIZE, "page": page},
                              on_error=lambda r: _classify(r, account))
        statuses = body.get("statuses", [])
        reached_older = False
        for item in statuses:
            try:
                published = parse_weibo_time(item["created_at"])
            except (KeyError, TypeError, ValueError):
                out.add("posts", account.account_id, item, _post_row)  # quarantined with why
                continue
            if published < out.window_start:
                reached_older = True
            elif published < out.window_end:
                rows = out.add_post(account.account_id, item, _post_row, _metrics_row)
                if rows and rows[1]["comments_count"] and out.wants_comments(published):
                    young.append(rows[0]["id"])
        if reached_older or len(statuses) < PAGE_SIZE:
            return young
        page += 1


def parse_weibo_time(value: str) -> datetime:
    """Weibo sends 'Tue May 31 17:46:55 +0800 2011'."""
    return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def _classify(response: httpx.Response, account: RegistryAccount) -> None:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    code = error_code(body)
    if code in TOKEN_ERRORS:
        raise PlatformError(f"weibo: access token rejected (error_code {code}: "
                            f"{body.get('error')}); renew it and update connection kol_weibo",
                            "token_rejected")
    if code == 20003:
        raise AccountError("not_found", f"weibo {account.kol_id}: uid {account.account_id} "
                           "does not exist; remove it from the registry or fix the uid")
    if code in (20101, 20112):
        raise AccountError("private", f"weibo {account.kol_id}: uid {account.account_id}: "
                           f"{body.get('error')}")
    if code is None and response.status_code not in (401, 403, *RETRIABLE_STATUS):
        # a truncated or foreign error body: it cannot say more than that this account failed
        raise AccountError("unreadable_error", f"weibo {account.kol_id}: uid "
                           f"{account.account_id}: HTTP {response.status_code} with an "
                           "unreadable error body")


def error_code(body: object) -> int | None:
    """Weibo's error_code, sent as a number by the API and as a string in its own docs."""
    code = body.get("error_code") if isinstance(body, dict) else None
    try:
        return int(str(code).strip())
    except ValueError:
        return None


def _account_row(user: dict) -> dict:
    return {
        "screen_name": user["screen_name"], "name": user.get("name"),
        "description": user.get("description"),
        "created_at": parse_weibo_time(user["created_at"]) if user.get("created_at") else None,
        "followers_count": required_count(user, "followers_count"),
        "friends_count": count(user.get("friends_count")),
        "statuses_count": count(user.get("statuses_count")),
        "verified": bool(user.get("verified", False)),
    }


def _post_row(item: dict) -> dict:
    return {"id": str(item.get("idstr") or item["id"]),
            "created_at": parse_weibo_time(item["created_at"]),
            "text": item.get("text"), "source": item.get("source")}


def _metrics_row(item: dict) -> dict:
    return {
        "id": str(item.get("idstr") or item["id"]),
        "reposts_count": required_count(item, "reposts_count"),
        "comments_count": count(item.get("comments_count")),
        "attitudes_count": count(item.get("attitudes_count")),
    }


def _follower_row(user: dict) -> dict:
    return {
        "id": str(user.get("idstr") or user["id"]), "screen_name": user["screen_name"],
        "name": user.get("name"), "description": user.get("description"),
        "url": user.get("url"), "profile_image_url": user.get("profile_image_url"),
        "created_at": parse_weibo_time(user["created_at"]) if user.get("created_at") else None,
        "followers_count": required_count(user, "followers_count"),
        "friends_count": count(user.get("friends_count")),
        "statuses_count": count(user.get("statuses_count")),
        "verified": bool(user.get("verified", False)),
    }


def _comment_row(item: dict) -> dict:
    user, status = item.get("user") or {}, item.get("status") or {}
    return {
        "id": str(item.get("idstr") or item["id"]),
        "status_id": str(status.get("idstr") or status.get("id") or "") or None,
        "user_id": str(user.get("idstr") or user.get("id") or "") or None,
        "user_screen_name": user.get("screen_name"), "text": item.get("text"),
        "created_at": parse_weibo_time(item["created_at"]),
    }
