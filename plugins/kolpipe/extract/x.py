"""X API v2: users lookup by ids (100 a call) with public_metrics, and each user's posts
(GET /2/users/:id/tweets, max_results 100, meta.next_token, start_time for the window).
Samples: the first page of followers (GET /2/users/:id/followers, max_results 100 of up to
1,000, with user.fields) and the newest replies to each recent post (GET
/2/tweets/search/recent, query conversation_id:<id>, expansions=author_id; recent search
covers the last 7 days, enough for posts of the last COMMENT_SAMPLE_DAYS).
Protected accounts' posts and followers are not readable; post reads are capped per month by
access tier, and the followers endpoint has a small per-15-minute limit on most tiers.
Rate-limit headers: x-rate-limit-limit / -remaining / -reset.
Doc: docs.x.com/x-api/users/lookup, docs.x.com/x-api/posts/user-posts-timeline,
docs.x.com/x-api/users/follows (followers), docs.x.com/x-api/posts/search (recent);
X API v2 OpenAPI 2.172.
"""

from __future__ import annotations

import httpx

from kolpipe.core.fields import check_requested
from kolpipe.extract.base import (
    COMMENTS_PER_POST,
    FOLLOWER_SAMPLE_SIZE,
    Extraction,
    count,
    parse_time,
    required_count,
)
from kolpipe.extract.http import AccountError, ApiClient, Connection, PlatformError
from kolpipe.registry import RegistryAccount

USERS_PER_CALL = 100
PAGE_SIZE = 100
# The user.fields and tweet.fields asked for, checked against what the landing reads
# (core/fields.py API_FIELDS) when imported; X returns id, text, username and name unasked.
DEFAULTS = ("id", "text", "username", "name")
USER_FIELDS = check_requested("x", "created_at,description,protected,public_metrics,username,name",
                              "accounts", returned_anyway=DEFAULTS)
TWEET_FIELDS = check_requested("x", "created_at,public_metrics,lang", "posts", "post_metrics",
                               returned_anyway=DEFAULTS)
FOLLOWER_FIELDS = check_requested(
    "x", "created_at,description,profile_image_url,protected,public_metrics,url,username,name",
    "follower_samples", returned_anyway=DEFAULTS)
REPLY_FIELDS = check_requested("x", "author_id,created_at,conversation_id", "comment_samples",
                               returned_anyway=DEFAULTS)


def make_client(conn: Connection, as_of: str | None = None, **options) -> ApiClient:
    return ApiClient(conn, auth="bearer", as_of=as_of, **options)


def extract(client: ApiClient, accounts: list[RegistryAccount], out: Extraction) -> None:
    readable = []
    for start in range(0, len(accounts), USERS_PER_CALL):
        batch = accounts[start:start + USERS_PER_CALL]
        with out.guard(batch, f"the users lookup of its batch of {len(batch)} failed: "
                       ) as lookup:
            body = client.request("GET", "2/users", on_error=_classify, params={
                "ids": ",".join(a.account_id for a in batch), "user.fields": USER_FIELDS})
            found = {user["id"]: user for user in body.get("data") or []}
            problems = {str(e.get("value") or e.get("resource_id")): e
                        for e in body.get("errors") or []}
        if lookup.failed:
            continue
        for account in batch:
            user = found.get(account.account_id)
            if user is None:
                problem = problems.get(account.account_id, {})
                kind = "suspended" if "suspended" in problem.get("detail", "") else "not_found"
                out.account_failed(account, kind, f"x {account.kol_id}: user "
                                   f"{account.account_id}: {problem.get('detail', 'not returned')}")
                continue
            if out.add_account(account, user, _account_row) is None:
                continue
            if user.get("protected"):
                out.account_failed(account, "private", f"x {account.kol_id}: @{user['username']} "
                                   "is protected; its posts are not readable")
            else:
                readable.append(account)
    for account in readable:
        with out.guard([account]):
            young_posts = _extract_posts(client, account, out)
            _sample_followers(client, account, out)
            for post_id in young_posts:
                _sample_replies(client, account, post_id, out)


def _sample_followers(client: ApiClient, account: RegistryAccount, out: Extraction) -> None:
    out.add_sample("follower_samples", account.account_id, lambda: client.request(
        "GET", f"2/users/{account.account_id}/followers", on_error=_classify,
        params={"max_results": FOLLOWER_SAMPLE_SIZE, "user.fields": FOLLOWER_FIELDS},
    ).get("data", []), _follower_row)


def _sample_replies(client: ApiClient, account: RegistryAccount, post_id: str,
                    out: Extraction) -> None:
    usernames: dict = {}  # filled from the page's includes.users, read by _reply_row

    def read_page() -> list:
        body = client.request("GET", "2/tweets/search/recent", on_error=_classify, params={
            "query": f"conversation_id:{post_id} is:reply",
            "max_results": max(10, COMMENTS_PER_POST), "tweet.fields": REPLY_FIELDS,
            "expansions": "author_id", "user.fields": "username"})
        usernames.update((u.get("id"), u.get("username"))
                         for u in body.get("includes", {}).get("users", []))
        return body.get("data", [])

    out.add_sample("comment_samples", account.account_id, read_page,
                   lambda item: _reply_row(item, usernames), f"x post {post_id}: ")


def _extract_posts(client: ApiClient, account: RegistryAccount, out: Extraction) -> list[str]:
    """Lands the user's posts in the window; returns the ids of those due a reply sample."""
    token, young = None, []
    while True:
        params = {"max_results": PAGE_SIZE, "tweet.fields": TWEET_FIELDS,
                  "start_time": out.window_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "end_time": out.window_end.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if token:
            params["pagination_token"] = token
        body = client.request("GET", f"2/users/{account.account_id}/tweets", params=params,
                              on_error=_classify)
        for item in body.get("data", []):
            rows = out.add_post(account.account_id, item, _post_row, _metrics_row)
            if rows and rows[1]["reply_count"] and out.wants_comments(rows[0]["created_at"]):
                young.append(rows[0]["id"])
        next_token = body.get("meta", {}).get("next_token")
        if not next_token:
            return young
        if next_token == token:
            raise PlatformError(f"x: repeated next_token for user {account.account_id}")
        token = next_token


def _classify(response: httpx.Response) -> None:
    try:
        body = response.json()
    except ValueError:
        body = {}
    title = body.get("title", "")
    if response.status_code == 401:
        raise PlatformError("x: bearer token rejected (401); update the password of connection "
                            "kol_x", "token_rejected")
    if response.status_code == 403 and "client-not-enrolled" in body.get("type", ""):
        raise PlatformError("x: this app's access tier cannot read user posts; upgrade the "
                            "tier or drop X from the registry", "access_denied")
    if response.status_code in (403, 404):
        raise AccountError("not_found", f"x: {title or response.status_code}: "
                           f"{body.get('detail', '')}")


def _account_row(user: dict) -> dict:
    metrics = user["public_metrics"]
    return {
        "username": user["username"], "name": user.get("name"),
        "description": user.get("description"),
        "created_at": parse_time(user["created_at"]) if user.get("created_at") else None,
        "protected": bool(user.get("protected", False)),
        "followers_count": required_count(metrics, "followers_count"),
        "following_count": count(metrics.get("following_count")),
        "tweet_count": count(metrics.get("tweet_count")),
        "listed_count": count(metrics.get("listed_count")),
    }


def _post_row(item: dict) -> dict:
    return {"id": str(item["id"]), "created_at": parse_time(item["created_at"]),
            "text": item.get("text"), "lang": item.get("lang")}


def _metrics_row(item: dict) -> dict:
    metrics = item["public_metrics"]
    return {
        "id": str(item["id"]), "like_count": required_count(metrics, "like_count"),
        "reply_count": count(metrics.get("reply_count")),
        "retweet_count": count(metrics.get("retweet_count")),
        "quote_count": count(metrics.get("quote_count")),
        "bookmark_count": count(metrics.get("bookmark_count")),
        "impression_count": count(metrics.get("impression_count")),
    }


def _follower_row(user: dict) -> dict:
    metrics = user["public_metrics"]
    return {
        "id": str(user["id"]), "username": user["username"], "name": user.get("name"),
        "description": user.get("description"), "url": user.get("url"),
        "profile_image_url": user.get("profile_image_url"),
        "protected": bool(user.get("protected", False)),
        "created_at": parse_time(user["created_at"]) if user.get("created_at") else None,
        "followers_count": required_count(metrics, "followers_count"),
        "following_count": count(metrics.get("following_count")),
        "tweet_count": count(metrics.get("tweet_count")),
    }


def _reply_row(item: dict, usernames: dict) -> dict:
    return {
        "id": str(item["id"]), "conversation_id": str(item["conversation_id"]),
        "author_id": str(item["author_id"]), "author_username": usernames.get(item["author_id"]),
        "text": item.get("text"), "created_at": parse_time(item["created_at"]),
    }
