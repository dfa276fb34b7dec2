"""X API v2: users lookup by ids (100 a call) with public_metrics, and each user's posts
(GET /2/users/:id/tweets, max_results 100, meta.next_token, start_time for the window).
Protected accounts' posts are not readable; post reads are capped per month by access tier.
Rate-limit headers: x-rate-limit-limit / -remaining / -reset.
Doc: docs.x.com/x-api/users/lookup, docs.x.com/x-api/posts/user-posts-timeline
"""

from __future__ import annotations

import httpx

from kolpipe.platforms.base import Extraction, RegistryAccount, count, parse_time
from kolpipe.platforms.http import AccountError, ApiClient, Connection, PlatformError

USERS_PER_CALL = 100
PAGE_SIZE = 100
USER_FIELDS = "created_at,description,protected,public_metrics,username,name"
TWEET_FIELDS = "created_at,public_metrics,lang"


def make_client(conn: Connection, as_of: str | None = None) -> ApiClient:
    return ApiClient(conn, auth="bearer", as_of=as_of)


def extract(client: ApiClient, accounts: list[RegistryAccount], out: Extraction) -> None:
    readable = []
    for start in range(0, len(accounts), USERS_PER_CALL):
        batch = accounts[start:start + USERS_PER_CALL]
        body = client.request("GET", "2/users", on_error=_classify, params={
            "ids": ",".join(a.account_id for a in batch), "user.fields": USER_FIELDS})
        found = {user["id"]: user for user in body.get("data", [])}
        problems = {str(e.get("value") or e.get("resource_id")): e for e in body.get("errors", [])}
        for account in batch:
            user = found.get(account.account_id)
            if user is None:
                problem = problems.get(account.account_id, {})
                kind = "suspended" if "suspended" in problem.get("detail", "") else "not_found"
                out.account_failed(account, kind, f"x {account.kol_id}: user "
                                   f"{account.account_id}: {problem.get('detail', 'not returned')}")
                continue
            if out.add("accounts", account.account_id, user, _account_row) is None:
                continue
            if user.get("protected"):
                out.account_failed(account, "private", f"x {account.kol_id}: @{user['username']} "
                                   "is protected; its posts are not readable")
            else:
                readable.append(account)
    for account in readable:
        try:
            _extract_posts(client, account, out)
        except AccountError as exc:
            out.account_failed(account, exc.kind, str(exc))


def _extract_posts(client: ApiClient, account: RegistryAccount, out: Extraction) -> None:
    token = None
    while True:
        params = {"max_results": PAGE_SIZE, "tweet.fields": TWEET_FIELDS,
                  "start_time": out.window_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "end_time": out.window_end.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if token:
            params["pagination_token"] = token
        body = client.request("GET", f"2/users/{account.account_id}/tweets", params=params,
                              on_error=_classify)
        for item in body.get("data", []):
            out.add_post(account.account_id, item, _post_row, _metrics_row)
        next_token = body.get("meta", {}).get("next_token")
        if not next_token:
            return
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
                            "kol_x")
    if response.status_code == 403 and "client-not-enrolled" in body.get("type", ""):
        raise PlatformError("x: this app's access tier cannot read user posts; upgrade the "
                            "tier or drop X from the registry")
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
        "followers_count": count(metrics["followers_count"]),
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
        "id": str(item["id"]), "like_count": count(metrics["like_count"]),
        "reply_count": count(metrics.get("reply_count")),
        "retweet_count": count(metrics.get("retweet_count")),
        "quote_count": count(metrics.get("quote_count")),
        "bookmark_count": count(metrics.get("bookmark_count")),
        "impression_count": count(metrics.get("impression_count")),
    }
