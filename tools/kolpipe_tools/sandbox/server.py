"""The sandbox: the simulated world served over each platform's own API paths and shapes, with
tokens checked, pagination, rate limits and optional fault injection.

The world is served as it was at the end of the date in the X-Sandbox-As-Of header (the
clients send the logical date when their connection has extra.sandbox), else yesterday.
"""

from __future__ import annotations

import json
import random
import threading
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from kolpipe.core.paths import PLATFORMS
from kolpipe_tools.sandbox.world import Account, Comment, Post, World, round_significant

TOKENS = {platform: f"sandbox-{platform}-token" for platform in PLATFORMS}
OUR_IG_USER_ID = "17841400000000001"
PREFIX = {"instagram": "/instagram", "youtube": "/youtube/v3", "tiktok": "/tiktok",
          "x": "/x", "weibo": "/weibo"}


@dataclass
class Faults:
    """Probabilities per request; `bad_record` corrupts one record of a response."""

    throttle: float = 0.0
    server_error: float = 0.0
    timeout: float = 0.0
    truncated: float = 0.0
    bad_record: float = 0.0
    timeout_seconds: float = 2.0
    broken_schema_on: frozenset[tuple[str, str]] = frozenset()  # (platform, iso date)
    outage_after: int | None = None  # every request after this many answers 503 (an outage)


class RateLimiter:
    """A fixed window per platform, answered with 429 + Retry-After like the real APIs."""

    def __init__(self, per_second: float):
        self.per_second = per_second
        self.window = -1
        self.used = 0
        self.lock = threading.Lock()

    def allow(self) -> tuple[bool, int]:
        if self.per_second <= 0:
            return True, 0
        with self.lock:
            now = int(clock.time())
            if now != self.window:
                self.window, self.used = now, 0
            self.used += 1
            return self.used <= self.per_second, max(0, int(self.per_second) - self.used)


def create_app(world: World, faults: Faults | None = None, rate_per_second: float = 0) -> FastAPI:
    faults = faults or Faults()
    app = FastAPI(title="kolpipe sandbox", docs_url=None, redoc_url=None)
    rng = random.Random(world.seed)
    limiters = {p: RateLimiter(rate_per_second) for p in PLATFORMS}
    handles = _handle_index(world)
    served = dict.fromkeys(PLATFORMS, 0)

    @lru_cache(maxsize=16)
    def post_index(platform: str, as_of: date) -> dict[str, tuple[Account, Post]]:
        """Posts looked up by id (videos.list, comments): one scan per platform and date."""
        return {post.post_id: (account, post) for account in world.accounts
                if account.platform == platform and account.exists_on(as_of)
                for post in account.recent_posts(as_of, 21)}

    @app.middleware("http")
    async def platform_gate(request: Request, call_next):
        platform = request.url.path.split("/")[1]
        if platform not in TOKENS:
            return JSONResponse({"error": "unknown platform path"}, 404)
        if _token(request) != TOKENS[platform]:
            return _auth_error(platform)
        allowed, remaining = limiters[platform].allow()
        headers = {"x-rate-limit-limit": str(int(rate_per_second)),
                   "x-rate-limit-remaining": str(remaining),
                   "x-rate-limit-reset": str(int(clock.time()) + 1)} if rate_per_second else {}
        if not allowed or rng.random() < faults.throttle:
            return JSONResponse({"title": "Too Many Requests"}, 429,
                                headers={**headers, "Retry-After": "1"})
        served[platform] += 1
        outage = faults.outage_after is not None and served[platform] > faults.outage_after
        if outage or rng.random() < faults.server_error:
            return JSONResponse({"error": "backend unavailable"}, 503)
        if rng.random() < faults.timeout:
            clock.sleep(faults.timeout_seconds)
        request.state.as_of = _as_of(request)
        request.state.platform = platform
        if (platform, request.state.as_of.isoformat()) in faults.broken_schema_on:
            request.state.broken_schema = True
        response = await call_next(request)
        if rng.random() < faults.truncated:
            body = b"".join([chunk async for chunk in response.body_iterator])
            return Response(body[: len(body) // 2], response.status_code,
                            media_type="application/json")
        for name, value in headers.items():
            response.headers[name] = value
        return response

    def respond(request: Request, body: dict) -> JSONResponse:
        """Corrupt one record now and then, as real APIs occasionally do."""
        records = _records(body)
        if records and rng.random() < faults.bad_record:
            victim = rng.choice(records)
            for key in ("followers_count", "like_count", "timestamp", "created_at", "publishedAt",
                        "create_time", "reposts_count", "comments_count", "snippet"):
                if key in victim:
                    victim[key] = "n/a"
                    break
        if getattr(request.state, "broken_schema", False):
            for record in records:
                for key in list(record):
                    if key.endswith("count") or key.endswith("Count"):
                        record[key] = str(record[key]) + "?"
        return JSONResponse(body)

    # Instagram Graph API: Business Discovery on our own IG user node.
    @app.get("/instagram/{version}/{ig_user_id}")
    def instagram_user(request: Request, version: str, ig_user_id: str, fields: str):
        as_of = request.state.as_of
        if not fields.startswith("business_discovery.username("):
            return _graph_error(100, None, "only business_discovery is served by the sandbox")
        handle = fields.split("(", 1)[1].split(")", 1)[0]
        after = fields.split(".after(", 1)[1].split(")", 1)[0] if ".after(" in fields else None
        account = _by_handle(handles, "instagram", handle, as_of)
        if account is None or account.is_private_on(as_of):
            return _graph_error(110, 2207013, f"The user with username: {handle} cannot be found.")
        offset = int(after or 0)
        posts = account.recent_posts(as_of, 21)
        page = posts[offset:offset + 50]
        media = {"data": [_instagram_media(account, p, as_of) for p in page]}
        if offset + 50 < len(posts):
            media["paging"] = {"cursors": {"after": str(offset + 50)}, "next": "sandbox://next"}
        user = {"id": account.user_id, "username": account.handle_on(as_of),
                "name": account.display_name, "biography": account.bio, "website": None,
                "followers_count": account.followers_on(as_of),
                "follows_count": account.following_on(as_of),
                "media_count": 40 + len(posts), "media": media}
        return respond(request, {"business_discovery": user, "id": ig_user_id})

    # YouTube Data API v3.
    @app.get("/youtube/v3/channels")
    def youtube_channels(request: Request, id: str, part: str = ""):
        as_of = request.state.as_of
        items = []
        for channel_id in id.split(",")[:50]:
            account = world.account("youtube", channel_id)
            if account is None or not account.exists_on(as_of) or account.is_private_on(as_of):
                continue
            followers = round_significant(account.followers_on(as_of))
            statistics = {"viewCount": str(followers * 120), "videoCount": "120",
                          "hiddenSubscriberCount": account.hidden_subscribers}
            if not account.hidden_subscribers:
                statistics["subscriberCount"] = str(followers)
            items.append({
                "kind": "youtube#channel", "id": channel_id,
                "snippet": {"title": account.display_name, "description": account.bio,
                            "customUrl": "@" + account.handle_on(as_of),
                            "publishedAt": f"{account.created_on.isoformat()}T00:00:00Z"},
                "statistics": statistics,
                "contentDetails": {"relatedPlaylists": {"uploads": "UU" + channel_id[2:]}},
            })
        return respond(request, {"kind": "youtube#channelListResponse", "items": items,
                                 "pageInfo": {"totalResults": len(items), "resultsPerPage": 50}})

    @app.get("/youtube/v3/playlistItems")
    def youtube_playlist_items(request: Request, playlistId: str, maxResults: int = 5,
                               pageToken: str | None = None):
        as_of = request.state.as_of
        account = world.account("youtube", "UC" + playlistId[2:])
        if account is None or not account.exists_on(as_of):
            return JSONResponse({"error": {"code": 404, "errors": [
                {"reason": "playlistNotFound"}]}}, 404)
        posts = account.recent_posts(as_of, 21)
        offset, size = int(pageToken or 0), min(maxResults, 50)
        body = {"kind": "youtube#playlistItemListResponse", "items": [
            {"contentDetails": {"videoId": p.post_id, "videoPublishedAt": _iso(p.published_at)}}
            for p in posts[offset:offset + size]]}
        if offset + size < len(posts):
            body["nextPageToken"] = str(offset + size)
        return respond(request, body)

    @app.get("/youtube/v3/videos")
    def youtube_videos(request: Request, id: str, part: str = ""):
        as_of = request.state.as_of
        items = []
        index = post_index("youtube", as_of)
        for account, post in (index[v] for v in id.split(",")[:50] if v in index):
            metrics = account.metrics_on(post, as_of)
            items.append({
                "kind": "youtube#video", "id": post.post_id,
                "snippet": {"publishedAt": _iso(post.published_at), "channelId": account.user_id,
                            "title": post.caption, "description": post.caption},
                "statistics": {"viewCount": str(metrics.views), "likeCount": str(metrics.likes),
                               "commentCount": str(metrics.comments)},
                "paidProductPlacementDetails": {"hasPaidProductPlacement": post.is_sponsored},
            })
        return respond(request, {"kind": "youtube#videoListResponse", "items": items})

    @app.get("/youtube/v3/commentThreads")
    def youtube_comment_threads(request: Request, videoId: str, part: str = "",
                                maxResults: int = 20, pageToken: str | None = None,
                                order: str = "time", textFormat: str = "html"):
        as_of = request.state.as_of
        found = post_index("youtube", as_of).get(videoId)
        if found is None:
            return JSONResponse({"error": {"code": 404, "message": "video not found",
                                           "errors": [{"reason": "videoNotFound"}]}}, 404)
        account, post = found
        offset, size = int(pageToken or 0), min(maxResults, 100)
        comments = account.comments_on(post, as_of, offset + size)
        items = [_youtube_thread(account, c) for c in comments[offset:offset + size]]
        body = {"kind": "youtube#commentThreadListResponse",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": size}, "items": items}
        if offset + size < account.metrics_on(post, as_of).comments:
            body["nextPageToken"] = str(offset + size)
        return respond(request, body)

    # TikTok Research API.
    @app.post("/tiktok/v2/research/user/info/")
    async def tiktok_user_info(request: Request, fields: str = ""):
        as_of = request.state.as_of
        username = (await request.json()).get("username", "")
        account = _by_handle(handles, "tiktok", username, as_of)
        if account is None:
            return _tiktok_error(400, "invalid_params", f"user {username} does not exist")
        if account.is_private_on(as_of):
            return _tiktok_error(400, "invalid_params", f"user {username} is private")
        data = {"display_name": account.display_name, "bio_description": account.bio,
                "avatar_url": "", "is_verified": False,
                "follower_count": account.followers_on(as_of),
                "following_count": account.following_on(as_of),
                "likes_count": account.followers_on(as_of) * 3, "video_count": 80}
        return respond(request, {"data": data, "error": _tiktok_ok()})

    @app.post("/tiktok/v2/research/video/query/")
    async def tiktok_video_query(request: Request, fields: str = ""):
        as_of = request.state.as_of
        query = await request.json()
        usernames = query["query"]["and"][0]["field_values"]
        start = datetime.strptime(query["start_date"], "%Y%m%d").date()
        videos = []
        for username in usernames:
            account = _by_handle(handles, "tiktok", username, as_of)
            if account is None or account.is_private_on(as_of):
                continue
            for post in account.recent_posts(as_of, (as_of - start).days + 1):
                metrics = account.metrics_on(post, as_of)
                videos.append({
                    "id": int(post.post_id), "username": account.handle_on(as_of),
                    "create_time": int(post.published_at.timestamp()),
                    "region_code": "US", "video_description": post.caption,
                    "hashtag_names": [w[1:] for w in post.caption.split() if w.startswith("#")],
                    "like_count": metrics.likes, "comment_count": metrics.comments,
                    "share_count": metrics.shares, "view_count": metrics.views,
                })
        cursor, size = int(query.get("cursor") or 0), min(int(query.get("max_count", 20)), 100)
        page = videos[cursor:cursor + size]
        data = {"videos": page, "cursor": cursor + len(page),
                "has_more": cursor + size < len(videos), "search_id": "sandbox-search"}
        return respond(request, {"data": data, "error": _tiktok_ok()})

    @app.post("/tiktok/v2/research/user/followers/")
    async def tiktok_user_followers(request: Request):
        as_of = request.state.as_of
        query = await request.json()
        username = query.get("username", "")
        account = _by_handle(handles, "tiktok", username, as_of)
        if account is None:
            return _tiktok_error(400, "invalid_params", f"user {username} does not exist")
        if account.is_private_on(as_of):
            return _tiktok_error(400, "invalid_params", f"user {username} is private")
        size = min(int(query.get("max_count", 20)), 100)
        followers = account.follower_sample(as_of, size)
        # The cursor is a follow time; the sandbox's followers followed one minute apart.
        newest = int(datetime.combine(as_of + timedelta(days=1), datetime.min.time(),
                                      tzinfo=UTC).timestamp())
        data = {"user_followers": [{"display_name": f["full_name"], "username": f["username"]}
                                   for f in followers],
                "cursor": newest - 60 * len(followers),
                "has_more": account.followers_on(as_of) > len(followers)}
        return respond(request, {"data": data, "error": _tiktok_ok()})

    @app.post("/tiktok/v2/research/video/comment/list/")
    async def tiktok_video_comments(request: Request, fields: str = ""):
        as_of = request.state.as_of
        query = await request.json()
        found = post_index("tiktok", as_of).get(str(query.get("video_id")))
        if found is None:
            return _tiktok_error(400, "invalid_params", "video does not exist")
        account, post = found
        cursor, size = int(query.get("cursor") or 0), min(int(query.get("max_count", 10)), 100)
        comments = account.comments_on(post, as_of, cursor + size)[cursor:cursor + size]
        data = {"comments": [{"id": int(c.comment_id), "video_id": int(post.post_id),
                              "text": c.text, "like_count": c.like_count, "reply_count": 0,
                              "parent_comment_id": int(post.post_id),
                              "create_time": int(c.created_at.timestamp())} for c in comments],
                "cursor": cursor + len(comments),
                "has_more": cursor + size < account.metrics_on(post, as_of).comments}
        return respond(request, {"data": data, "error": _tiktok_ok()})

    # X API v2.
    @app.get("/x/2/users")
    def x_users(request: Request, ids: str):
        as_of = request.state.as_of
        data, errors = [], []
        for user_id in ids.split(",")[:100]:
            account = world.account("x", user_id)
            if account is None or not account.exists_on(as_of):
                errors.append({"value": user_id, "resource_id": user_id, "parameter": "ids",
                               "title": "Not Found Error", "resource_type": "user",
                               "detail": f"Could not find user with ids: [{user_id}].",
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
                continue
            data.append({
                "id": user_id, "username": account.handle_on(as_of), "name": account.display_name,
                "description": account.bio, "protected": account.is_private_on(as_of),
                "created_at": f"{account.created_on.isoformat()}T00:00:00.000Z",
                "public_metrics": {"followers_count": account.followers_on(as_of),
                                   "following_count": account.following_on(as_of),
                                   "tweet_count": 500, "listed_count": 3, "like_count": 900},
            })
        body = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return respond(request, body)

    @app.get("/x/2/users/{user_id}/tweets")
    def x_user_tweets(request: Request, user_id: str, max_results: int = 10,
                      pagination_token: str | None = None, start_time: str | None = None,
                      end_time: str | None = None):
        as_of = request.state.as_of
        account = world.account("x", user_id)
        if account is None or not account.exists_on(as_of):
            return _x_error(404, "Not Found Error", "user not found", "resource-not-found")
        since = datetime.fromisoformat(start_time.replace("Z", "+00:00")) if start_time else None
        posts = [p for p in account.recent_posts(as_of, 21)
                 if since is None or p.published_at >= since]
        offset, size = int(pagination_token or 0), max(5, min(max_results, 100))
        page = posts[offset:offset + size]
        data = []
        for post in page:
            m = account.metrics_on(post, as_of)
            data.append({"id": post.post_id, "text": post.caption, "lang": account.language,
                         "created_at": _iso(post.published_at), "edit_history_tweet_ids": [
                             post.post_id],
                         "public_metrics": {"retweet_count": m.shares, "reply_count": m.comments,
                                            "like_count": m.likes, "quote_count": m.saves // 2,
                                            "bookmark_count": m.saves - m.saves // 2,
                                            "impression_count": m.views}})
        meta = {"result_count": len(data)}
        if offset + size < len(posts):
            meta["next_token"] = str(offset + size)
        return respond(request, {"data": data, "meta": meta} if data else {"meta": meta})

    @app.get("/x/2/users/{user_id}/followers")
    def x_user_followers(request: Request, user_id: str, max_results: int = 100,
                         pagination_token: str | None = None):
        as_of = request.state.as_of
        account = world.account("x", user_id)
        if account is None or not account.exists_on(as_of):
            return _x_error(404, "Not Found Error", "user not found", "resource-not-found")
        if account.is_private_on(as_of):
            return _x_error(403, "Authorization Error", "protected user",
                            "not-authorized-for-resource")
        size = max(1, min(max_results, 1000))
        data = [_x_follower(f, as_of) for f in account.follower_sample(as_of, size)]
        meta = {"result_count": len(data)}
        if account.followers_on(as_of) > len(data):
            meta["next_token"] = f"sandbox-{len(data)}"
        return respond(request, {"data": data, "meta": meta} if data else {"meta": meta})

    @app.get("/x/2/tweets/search/recent")
    def x_search_recent(request: Request, query: str, max_results: int = 10,
                        next_token: str | None = None):
        as_of = request.state.as_of
        conversation = query.split("conversation_id:", 1)[1].split()[0] if (
            "conversation_id:" in query) else ""
        found = post_index("x", as_of).get(conversation)
        offset, size = int(next_token or 0), max(10, min(max_results, 100))
        comments = []
        if found is not None:
            account, post = found
            comments = account.comments_on(post, as_of, offset + size)[offset:offset + size]
        data = [{"id": c.comment_id, "text": c.text, "author_id": c.author_id,
                 "conversation_id": c.post_id, "created_at": _iso(c.created_at),
                 "edit_history_tweet_ids": [c.comment_id]} for c in comments]
        users = {c.author_id: {"id": c.author_id, "username": c.author, "name": c.author}
                 for c in comments}
        meta = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        if found is not None and offset + size < found[0].metrics_on(found[1], as_of).comments:
            meta["next_token"] = str(offset + size)
        body = {"data": data, "includes": {"users": list(users.values())}, "meta": meta}
        return respond(request, body if data else {"meta": meta})

    # Weibo Open API.
    @app.get("/weibo/2/users/show.json")
    def weibo_user(request: Request, uid: str):
        as_of = request.state.as_of
        account = world.account("weibo", uid)
        if account is None or not account.exists_on(as_of):
            return _weibo_error(20003, "User does not exists!", "/2/users/show.json")
        if account.is_private_on(as_of):
            return _weibo_error(20112, "Can not read the user's statuses", "/2/users/show.json")
        return respond(request, _weibo_user(account, as_of))

    @app.get("/weibo/2/statuses/user_timeline.json")
    def weibo_timeline(request: Request, uid: str, count: int = 20, page: int = 1):
        as_of = request.state.as_of
        account = world.account("weibo", uid)
        if account is None or not account.exists_on(as_of):
            return _weibo_error(20003, "User does not exists!", "/2/statuses/user_timeline.json")
        posts = account.recent_posts(as_of, 21)
        size = min(count, 100)
        statuses = []
        for post in posts[(page - 1) * size: page * size]:
            m = account.metrics_on(post, as_of)
            statuses.append({"id": int(post.post_id), "idstr": post.post_id,
                             "created_at": _weibo_time(post.published_at), "text": post.caption,
                             "source": "sandbox", "reposts_count": m.shares,
                             "comments_count": m.comments, "attitudes_count": m.likes})
        return respond(request, {"statuses": statuses, "total_number": len(posts)})

    @app.get("/weibo/2/friendships/followers.json")
    def weibo_followers(request: Request, uid: str, count: int = 50, cursor: int = 0):
        as_of = request.state.as_of
        account = world.account("weibo", uid)
        if account is None or not account.exists_on(as_of):
            return _weibo_error(20003, "User does not exists!", "/2/friendships/followers.json")
        if account.is_private_on(as_of):
            return _weibo_error(20112, "Can not read the user's followers",
                                "/2/friendships/followers.json")
        size = min(count, 200)
        users = [_weibo_follower(f, as_of) for f in account.follower_sample(as_of, size)]
        more = account.followers_on(as_of) > len(users)
        return respond(request, {"users": users, "next_cursor": len(users) if more else 0,
                                 "previous_cursor": 0,
                                 "total_number": account.followers_on(as_of)})

    @app.get("/weibo/2/comments/show.json")
    def weibo_comments(request: Request, id: str, count: int = 50, page: int = 1):
        as_of = request.state.as_of
        found = post_index("weibo", as_of).get(id)
        if found is None:
            return _weibo_error(20101, "Target weibo does not exist!", "/2/comments/show.json")
        account, post = found
        size = min(count, 200)
        comments = account.comments_on(post, as_of, page * size)[(page - 1) * size:page * size]
        status = {"id": int(post.post_id), "idstr": post.post_id}
        body = {"comments": [{"created_at": _weibo_time(c.created_at), "id": int(c.comment_id),
                              "idstr": c.comment_id, "text": c.text, "source": "sandbox",
                              "user": {"id": int(c.author_id), "idstr": c.author_id,
                                       "screen_name": c.author},
                              "status": status} for c in comments],
                "previous_cursor": 0, "next_cursor": 0,
                "total_number": account.metrics_on(post, as_of).comments}
        return respond(request, body)

    return app


def _records(body: dict) -> list[dict]:
    for path in (("business_discovery", "media", "data"), ("items",), ("data", "videos"),
                 ("data", "user_followers"), ("data", "comments"), ("data",), ("statuses",),
                 ("users",), ("comments",)):
        node = body
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, list) and node and isinstance(node[0], dict):
            return node
    if "business_discovery" in body:
        return [body["business_discovery"]]
    if "followers_count" in body:
        return [body]
    return []


def _handle_index(world: World) -> dict[tuple[str, str], list[Account]]:
    index: dict[tuple[str, str], list[Account]] = {}
    for account in world.accounts:
        for handle in {account.handle, account.old_handle} - {None}:
            index.setdefault((account.platform, handle.lower()), []).append(account)
    return index


def _by_handle(index: dict, platform: str, handle: str, as_of: date) -> Account | None:
    for account in index.get((platform, handle.lower()), []):
        if account.exists_on(as_of) and account.handle_on(as_of).lower() == handle.lower():
            return account
    return None


def _youtube_thread(account: Account, comment: Comment) -> dict:
    snippet = {"channelId": account.user_id, "videoId": comment.post_id,
               "textDisplay": comment.text, "textOriginal": comment.text,
               "authorDisplayName": "@" + comment.author,
               "authorChannelUrl": f"http://www.youtube.com/@{comment.author}",
               "authorChannelId": {"value": comment.author_id}, "canRate": True,
               "viewerRating": "none", "likeCount": comment.like_count,
               "publishedAt": _iso(comment.created_at), "updatedAt": _iso(comment.created_at)}
    return {"kind": "youtube#commentThread", "id": comment.comment_id,
            "snippet": {"channelId": account.user_id, "videoId": comment.post_id,
                        "topLevelComment": {"kind": "youtube#comment", "id": comment.comment_id,
                                            "snippet": snippet},
                        "canReply": True, "totalReplyCount": 0, "isPublic": True}}


def _profile_image(follower: dict) -> str:
    if follower["has_profile_pic"]:
        return f"https://pbs.twimg.com/profile_images/{follower['id']}/photo_normal.jpg"
    return "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"


def _x_follower(follower: dict, as_of: date) -> dict:
    return {"id": follower["id"], "username": follower["username"],
            "name": follower["full_name"], "description": follower["bio"],
            "protected": follower["is_private"],
            "url": "https://t.co/sandbox" if follower["has_external_url"] else "",
            "profile_image_url": _profile_image(follower),
            "created_at": f"{(as_of - timedelta(days=400)).isoformat()}T00:00:00.000Z",
            "public_metrics": {"followers_count": follower["followers_count"],
                               "following_count": follower["following_count"],
                               "tweet_count": follower["posts_count"], "listed_count": 0,
                               "like_count": 0}}


def _weibo_follower(follower: dict, as_of: date) -> dict:
    created = datetime.combine(as_of - timedelta(days=400), datetime.min.time(), tzinfo=UTC)
    image = (f"https://tvax1.sinaimg.cn/crop.0.0.180.180.50/{follower['id']}.jpg"
             if follower["has_profile_pic"]
             else "https://tvax1.sinaimg.cn/default/images/default_avatar_male_50.gif")
    return {"id": int(follower["id"]), "idstr": follower["id"],
            "screen_name": follower["username"],
            "name": follower["full_name"] or follower["username"],
            "description": follower["bio"],
            "url": "http://t.cn/sandbox" if follower["has_external_url"] else "",
            "profile_image_url": image, "followers_count": follower["followers_count"],
            "friends_count": follower["following_count"],
            "statuses_count": follower["posts_count"], "verified": False,
            "created_at": _weibo_time(created)}


def _instagram_media(account: Account, post: Post, as_of: date) -> dict:
    m = account.metrics_on(post, as_of)
    media = {"id": post.post_id, "caption": post.caption, "media_type": post.media_type,
             "media_product_type": "REELS" if post.media_type == "VIDEO" else "FEED",
             "timestamp": post.published_at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
             "permalink": f"https://www.instagram.com/p/{post.post_id}/",
             "comments_count": m.comments}
    if not account.hidden_likes:
        media["like_count"] = m.likes
    if post.media_type == "VIDEO":
        media["view_count"] = m.views
    return media


def _weibo_user(account: Account, as_of: date) -> dict:
    created = datetime.combine(account.created_on, datetime.min.time(), tzinfo=UTC)
    return {"id": int(account.user_id), "idstr": account.user_id,
            "screen_name": account.handle_on(as_of), "name": account.display_name,
            "description": account.bio, "followers_count": account.followers_on(as_of),
            "friends_count": account.following_on(as_of), "statuses_count": 300,
            "verified": False, "created_at": _weibo_time(created)}


def _weibo_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:]
    return request.query_params.get("access_token") or request.query_params.get("key") or ""


def _as_of(request: Request) -> date:
    value = request.headers.get("x-sandbox-as-of")
    if value:
        return date.fromisoformat(value)
    return datetime.now(UTC).date() - timedelta(days=1)


def _auth_error(platform: str) -> JSONResponse:
    if platform == "instagram":
        return _graph_error(190, 463, "Error validating access token: Session has expired", 400)
    if platform == "youtube":
        return JSONResponse({"error": {"code": 400, "message": "API key not valid.",
                                       "errors": [{"reason": "keyInvalid"}]}}, 400)
    if platform == "tiktok":
        return _tiktok_error(401, "access_token_invalid", "The access token is invalid")
    if platform == "x":
        return JSONResponse({"title": "Unauthorized", "type": "about:blank", "status": 401,
                             "detail": "Unauthorized"}, 401)
    return _weibo_error(21332, "invalid_access_token", "/2/")


def _graph_error(code: int, subcode: int | None, message: str, status: int = 400) -> JSONResponse:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "sandbox"}
    if subcode:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status)


def _tiktok_ok() -> dict:
    return {"code": "ok", "message": "", "log_id": "sandbox"}


def _tiktok_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "log_id": "sandbox"}}, status)


def _x_error(status: int, title: str, detail: str, problem: str) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail,
                         "type": f"https://api.twitter.com/2/problems/{problem}"}, status)


def _weibo_error(code: int, message: str, path: str) -> JSONResponse:
    return JSONResponse({"error": message, "error_code": code, "request": path}, 400)


def connections(base_url: str) -> dict[str, str]:
    """AIRFLOW_CONN_KOL_* values pointing the clients at a running sandbox."""
    return {
        f"AIRFLOW_CONN_KOL_{platform.upper()}": json.dumps({
            "conn_type": "http", "host": f"{base_url}{PREFIX[platform]}",
            "password": TOKENS[platform],
            "extra": {"sandbox": True, "ig_user_id": OUR_IG_USER_ID, "access": "commercial"},
        })
        for platform in PLATFORMS
    }
