"""YouTube Data API v3: channels.list (50 ids a call), the uploads playlist through
playlistItems.list (newest first, 50 a page, nextPageToken), videos.list (50 ids a call), and
a comment sample through commentThreads.list (videoId, order=time, maxResults up to 100, one
page per recent video). Never search.list: it costs 100 units a call. Each list call costs
1 quota unit of the default 10,000 a day. subscriberCount is rounded to three significant
figures and missing when hiddenSubscriberCount is true. No follower sample: a channel's
subscriber list is private to its owner (subscriptions.list mySubscribers needs their token).
Doc: developers.google.com/youtube/v3/docs (channels/list, playlistItems/list, videos/list,
commentThreads/list), YouTube Data API v3 reference as of 2025-2026 (revision history
through 2025).
"""

from __future__ import annotations

import httpx

from kolpipe.core.fields import check_requested
from kolpipe.extract.base import COMMENTS_PER_POST, Extraction, count, parse_time
from kolpipe.extract.http import AccountError, ApiClient, Connection, PlatformError
from kolpipe.registry import RegistryAccount

BATCH = 50
# The parts asked for, checked against what the landing reads (core/fields.py) when imported.
CHANNEL_PARTS = check_requested("youtube", "snippet,statistics,contentDetails", "accounts")
VIDEO_PARTS = check_requested("youtube", "snippet,statistics,paidProductPlacementDetails",
                              "posts", "post_metrics", returned_anyway=("id",))
COMMENT_PARTS = check_requested("youtube", "snippet", "comment_samples", returned_anyway=("id",))


def make_client(conn: Connection, as_of: str | None = None, **options) -> ApiClient:
    return ApiClient(conn, auth="param", token_param="key", as_of=as_of, **options)


def extract(client: ApiClient, accounts: list[RegistryAccount], out: Extraction) -> None:
    uploads: dict[str, str] = {}
    for batch in _batches(accounts):
        with out.guard(batch, f"the channels.list of its batch of {len(batch)} failed: "
                       ) as lookup:
            body = client.request("GET", "channels", on_error=_classify, params={
                "part": CHANNEL_PARTS, "maxResults": BATCH,
                "id": ",".join(a.account_id for a in batch)})
            found = {item["id"]: item for item in body.get("items") or []}
        if lookup.failed:
            continue
        for account in batch:
            item = found.get(account.account_id)
            if item is None:
                out.account_failed(account, "not_found", f"youtube {account.kol_id}: channel "
                                   f"{account.account_id} not returned by channels.list: deleted "
                                   "or terminated; remove it from the registry or fix the id")
                continue
            with out.guard([account], "its channel record has no uploads playlist: "):
                if out.add_account(account, item, _account_row) is not None:
                    uploads[account.account_id] = (
                        item["contentDetails"]["relatedPlaylists"]["uploads"])

    video_owner: dict[str, str] = {}
    for account in accounts:
        if account.account_id in uploads:
            with out.guard([account], "") as playlist:  # its uploads playlist is gone
                recent = _recent_upload_ids(client, uploads[account.account_id], out)
            if not playlist.failed:
                video_owner.update(dict.fromkeys(recent, account.account_id))
    ids = list(video_owner)
    for start in range(0, len(ids), BATCH):
        requested, failure = ids[start:start + BATCH], None
        try:
            body = client.request("GET", "videos", on_error=_classify, params={
                "part": VIDEO_PARTS, "maxResults": BATCH, "id": ",".join(requested)})
        except AccountError as exc:  # each requested id is then quarantined with the reason
            body, failure = {"items": []}, f"videos.list failed for its batch: {exc}"
        returned = set()
        for item in body.get("items", []):
            owner = video_owner.get(item.get("id") if isinstance(item, dict) else None)
            if owner is None:
                out.reject("posts", "", item, "videos.list returned a video that was not "
                           "requested (no id, or an id of no registered channel's uploads)")
                continue
            returned.add(item["id"])
            rows = out.add_post(owner, item, _post_row, _metrics_row)
            if rows and rows[1]["comment_count"] and out.wants_comments(rows[0]["published_at"]):
                _sample_comments(client, rows[0]["account_id"], rows[0]["id"], out)
        for video_id in requested:
            if video_id not in returned:
                out.reject("posts", video_owner[video_id], {"id": video_id}, failure or (
                    f"video {video_id} is in the channel's uploads playlist but videos.list "
                    "did not return it (deleted, made private or still processing)"))


def _sample_comments(client: ApiClient, account_id: str, video_id: str, out: Extraction) -> None:
    """The newest comments of one video: one page, one quota unit."""
    out.add_sample("comment_samples", account_id, lambda: client.request(
        "GET", "commentThreads", on_error=_classify_comments, params={
            "part": COMMENT_PARTS, "videoId": video_id, "maxResults": COMMENTS_PER_POST,
            "order": "time", "textFormat": "plainText"}).get("items", []),
        _comment_row, f"youtube video {video_id}: ")


def _recent_upload_ids(client: ApiClient, playlist_id: str, out: Extraction) -> list[str]:
    ids, token = [], None
    while True:
        params = {"part": "contentDetails", "playlistId": playlist_id, "maxResults": BATCH}
        if token:
            params["pageToken"] = token
        body = client.request("GET", "playlistItems", params=params, on_error=_classify)
        reached_older = False
        for item in body.get("items", []):
            details = item.get("contentDetails", {})
            published = details.get("videoPublishedAt")
            if published is None:  # a private or deleted video left in the playlist
                continue
            published_at = parse_time(published)
            if published_at < out.window_start:
                reached_older = True
            elif published_at < out.window_end:
                ids.append(details["videoId"])
        next_token = body.get("nextPageToken")
        if reached_older or not next_token:
            return ids
        if next_token == token:
            raise PlatformError(f"youtube: repeated pageToken for playlist {playlist_id}")
        token = next_token


def _batches(accounts: list[RegistryAccount]) -> list[list[RegistryAccount]]:
    return [accounts[i:i + BATCH] for i in range(0, len(accounts), BATCH)]


def _classify(response: httpx.Response) -> None:
    try:
        errors = response.json()["error"].get("errors", [{}])
        reason = errors[0].get("reason", "")
    except (ValueError, KeyError, AttributeError):
        reason = ""
    if reason in ("quotaExceeded", "dailyLimitExceeded"):
        raise PlatformError("youtube: daily quota exhausted (default 10,000 units). The gap is "
                            "recorded; rerun after the quota resets (midnight Pacific) or "
                            "request a quota increase", "quota")
    if reason in ("keyInvalid", "forbidden") or response.status_code in (401, 403):
        raise PlatformError(f"youtube: API key rejected ({reason or response.status_code}); "
                            "check the password of connection kol_youtube", "token_rejected")
    if reason == "playlistNotFound" or response.status_code == 404:
        raise AccountError("not_found", f"youtube: {reason or 'not found'}")


def _classify_comments(response: httpx.Response) -> None:
    try:
        reason = response.json()["error"]["errors"][0].get("reason", "")
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        reason = ""
    if reason in ("commentsDisabled", "videoNotFound", "forbidden"):
        raise AccountError(reason, f"comments not readable ({reason})")
    _classify(response)


def _account_row(item: dict) -> dict:
    stats, snippet = item["statistics"], item["snippet"]
    hidden = bool(stats.get("hiddenSubscriberCount", False))
    return {
        "title": snippet["title"], "custom_url": snippet.get("customUrl"),
        "description": snippet.get("description"),
        "published_at": parse_time(snippet["publishedAt"]),
        "subscriber_count": None if hidden else count(stats.get("subscriberCount")),
        "hidden_subscriber_count": hidden, "view_count": count(stats.get("viewCount")),
        "video_count": count(stats.get("videoCount")),
        "uploads_playlist_id": item["contentDetails"]["relatedPlaylists"]["uploads"],
    }


def _post_row(item: dict) -> dict:
    snippet = item["snippet"]
    return {
        "id": item["id"], "published_at": parse_time(snippet["publishedAt"]),
        "title": snippet.get("title"), "description": snippet.get("description"),
        "has_paid_product_placement": bool(
            item.get("paidProductPlacementDetails", {}).get("hasPaidProductPlacement", False)),
    }


def _metrics_row(item: dict) -> dict:
    stats = item["statistics"]
    return {
        "id": item["id"], "view_count": count(stats.get("viewCount")),
        "like_count": count(stats.get("likeCount")),
        "comment_count": count(stats.get("commentCount")),
    }


def _comment_row(item: dict) -> dict:
    snippet = item["snippet"]
    top = snippet["topLevelComment"]["snippet"]
    return {
        "id": item["id"], "video_id": snippet["videoId"],
        "author_channel_id": (top.get("authorChannelId") or {}).get("value"),
        "author_display_name": top.get("authorDisplayName"),
        "text_original": top.get("textOriginal", top.get("textDisplay")),
        "like_count": count(top.get("likeCount")),
        "total_reply_count": count(snippet.get("totalReplyCount")),
        "published_at": parse_time(top["publishedAt"]),
    }
