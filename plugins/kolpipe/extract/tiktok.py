"""TikTok Research API (v2): user info per username, and one video query for a batch of
usernames (operation IN), paged with cursor + search_id, 100 videos a page, at most 30 days
between start_date and end_date. Samples: the first page of followers per account
(/v2/research/user/followers/, max_count 100; each follower is only display_name and
username), and the newest comments of each recent video (/v2/research/video/comment/list/,
max_count up to 100; comments carry no author). Limits: 1,000 requests and 100,000 records a
day, so the samples are one call per account and one per recent video.
Doc: developers.tiktok.com/doc/research-api-specs-query-user-info, -query-videos,
-query-user-followers, -query-video-comments (Research API v2 specs as published 2024-2026).
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from kolpipe.core.fields import check_requested
from kolpipe.extract.base import (
    COMMENTS_PER_POST,
    FOLLOWER_SAMPLE_SIZE,
    Extraction,
    count,
    required_count,
)
from kolpipe.extract.http import AccountError, ApiClient, Connection, PlatformError
from kolpipe.registry import RegistryAccount

# Checked against what the landing reads (core/fields.py API_FIELDS) when imported.
USER_FIELDS = check_requested("tiktok", "display_name,bio_description,avatar_url,is_verified,"
                              "follower_count,following_count,likes_count,video_count",
                              "accounts")
VIDEO_FIELDS = ("id,create_time,username,region_code,video_description,hashtag_names,"
                "like_count,comment_count,share_count,view_count")
VIDEO_FIELDS = check_requested("tiktok", VIDEO_FIELDS, "posts", "post_metrics")
COMMENT_FIELDS = check_requested(
    "tiktok", "id,video_id,text,like_count,reply_count,parent_comment_id,create_time",
    "comment_samples")
PAGE_SIZE = 100
USERNAMES_PER_QUERY = 20


def make_client(conn: Connection, as_of: str | None = None, **options) -> ApiClient:
    return ApiClient(conn, auth="bearer", as_of=as_of, **options)


def extract(client: ApiClient, accounts: list[RegistryAccount], out: Extraction) -> None:
    active = []
    for account in accounts:
        with out.guard([account]):
            body = client.request("POST", "v2/research/user/info/", params={"fields": USER_FIELDS},
                                  json_body={"username": account.handle},
                                  on_error=lambda r, a=account: _classify(r, a))
            if out.add_account(account, {"username": account.handle, **body["data"]},
                               account_row) is not None:
                active.append(account)
    by_username = {a.handle.lower(): a.account_id for a in active}
    young_videos: list[tuple[str, str]] = []
    for start in range(0, len(active), USERNAMES_PER_QUERY):
        batch = active[start:start + USERNAMES_PER_QUERY]
        with out.guard(batch, f"the video query of its batch of {len(batch)} failed: "):
            young_videos += _query_videos(client, [a.handle for a in batch], by_username, out)
    for account in active:
        with out.guard([account]):
            _sample_followers(client, account, out)
    for account_id, video_id in young_videos:
        _sample_comments(client, account_id, video_id, out)


def _sample_followers(client: ApiClient, account: RegistryAccount, out: Extraction) -> None:
    out.add_sample("follower_samples", account.account_id, lambda: client.request(
        "POST", "v2/research/user/followers/",
        json_body={"username": account.handle, "max_count": FOLLOWER_SAMPLE_SIZE},
        on_error=lambda r: _classify(r, account))["data"].get("user_followers", []),
        _follower_row)


def _sample_comments(client: ApiClient, account_id: str, video_id: str, out: Extraction) -> None:
    out.add_sample("comment_samples", account_id, lambda: client.request(
        "POST", "v2/research/video/comment/list/", params={"fields": COMMENT_FIELDS},
        json_body={"video_id": int(video_id), "max_count": COMMENTS_PER_POST, "cursor": 0},
        on_error=lambda r: _classify(r, None, comments_of=video_id))["data"].get("comments", []),
        _comment_row)


def _query_videos(client: ApiClient, usernames: list[str], by_username: dict[str, str],
                  out: Extraction) -> list[tuple[str, str]]:
    """Lands the videos; returns (account_id, video_id) of those due a comment sample."""
    query = {
        "query": {"and": [{"operation": "IN", "field_name": "username",
                           "field_values": usernames}]},
        "start_date": out.window_start.strftime("%Y%m%d"),
        "end_date": out.logical_date.strftime("%Y%m%d"),
        "max_count": PAGE_SIZE,
    }
    cursor, search_id, young = None, None, []
    while True:
        page = dict(query, **({"cursor": cursor, "search_id": search_id} if search_id else {}))
        body = client.request("POST", "v2/research/video/query/", params={"fields": VIDEO_FIELDS},
                              json_body=page, on_error=lambda r: _classify(r, None))
        data = body["data"]
        for item in data.get("videos", []):
            username = item.get("username") if isinstance(item, dict) else None
            owner = by_username.get(str(username or "").lower())
            if owner is None:
                out.reject("posts", "", item, f"video username {username!r} is none of the "
                           f"queried accounts ({', '.join(usernames)})")
                continue
            rows = out.add_post(owner, item, _post_row, metrics_row)
            if rows and rows[1]["comment_count"] and out.wants_comments(rows[0]["create_time"]):
                young.append((owner, rows[0]["id"]))
        if not data.get("has_more"):
            return young
        if data.get("cursor") == cursor:
            raise PlatformError("tiktok: the video query repeated its cursor; stopping")
        cursor, search_id = data.get("cursor"), data.get("search_id")


def _classify(response: httpx.Response, account: RegistryAccount | None,
              comments_of: str | None = None) -> None:
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code, message = error.get("code", ""), error.get("message", "")
    if code in ("access_token_invalid", "scope_not_authorized") or response.status_code == 401:
        raise PlatformError(f"tiktok: token rejected ({code}); the Research API needs a client "
                            "access token with research.data.basic; update connection kol_tiktok",
                            "token_rejected")
    if code == "daily_quota_limit_exceeded":
        raise PlatformError("tiktok: daily Research API quota (1,000 requests / 100,000 records) "
                            "used up; the gap is recorded, rerun tomorrow", "quota")
    if comments_of is not None and response.status_code in (400, 404):
        raise AccountError("comments_unavailable",
                           f"tiktok video {comments_of}: {message or code}")
    if account is not None and response.status_code in (400, 404):
        kind = "private" if "private" in message.lower() else "not_found"
        raise AccountError(kind, f"tiktok {account.kol_id}: @{account.handle}: {message or code}"
                           "; if renamed, update the handle in the registry")


def account_row(data: dict) -> dict:
    return {
        "username": data["username"], "display_name": data.get("display_name"),
        "bio_description": data.get("bio_description"),
        "is_verified": bool(data.get("is_verified", False)),
        "follower_count": required_count(data, "follower_count"),
        "following_count": count(data.get("following_count")),
        "likes_count": count(data.get("likes_count")),
        "video_count": count(data.get("video_count")),
    }


def _post_row(item: dict) -> dict:
    return {
        "id": str(item["id"]),
        "create_time": datetime.fromtimestamp(int(item["create_time"]), tz=UTC),
        "video_description": item.get("video_description"),
        "region_code": item.get("region_code"),
        "hashtag_names": ",".join(item.get("hashtag_names") or []),
    }


def metrics_row(item: dict) -> dict:
    return {
        "id": str(item["id"]), "view_count": count(item.get("view_count")),
        "like_count": count(item.get("like_count")),
        "comment_count": count(item.get("comment_count")),
        "share_count": count(item.get("share_count")),
    }


def _follower_row(item: dict) -> dict:
    return {"username": item["username"], "display_name": item.get("display_name")}


def _comment_row(item: dict) -> dict:
    parent = item.get("parent_comment_id")
    return {
        "id": str(item["id"]), "video_id": str(item["video_id"]), "text": item.get("text"),
        "like_count": count(item.get("like_count")),
        "reply_count": count(item.get("reply_count")),
        "parent_comment_id": None if parent is None else str(parent),
        "create_time": datetime.fromtimestamp(int(item["create_time"]), tz=UTC),
    }
