"""TikTok Research API: user info, video query, user followers and video comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.comments import Comment
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.routes.common import Context
from kolpipe_tools.sandbox.world import Account


def register(app: FastAPI, ctx: Context) -> None:
    @app.post("/tiktok/v2/research/user/info/")
    async def tiktok_user_info(request: Request, fields: str = ""):
        as_of = request.state.as_of
        username = (await request.json()).get("username", "")
        account = ctx.by_handle("tiktok", username, as_of)
        if account is None:
            return tiktok_error(400, "invalid_params", f"user {username} does not exist")
        if account.is_private_on(as_of):
            return tiktok_error(400, "invalid_params", f"user {username} is private")
        return ctx.respond(request, {"data": user_item(account, as_of), "error": ok()})

    @app.post("/tiktok/v2/research/video/query/")
    async def tiktok_video_query(request: Request, fields: str = ""):
        as_of = request.state.as_of
        query = await request.json()
        usernames = query["query"]["and"][0]["field_values"]
        start = datetime.strptime(query["start_date"], "%Y%m%d").date()
        videos = []
        for username in usernames:
            account = ctx.by_handle("tiktok", username, as_of)
            if account is None or account.is_private_on(as_of):
                continue
            videos += [video_item(account, post, as_of)
                       for post in account.recent_posts(as_of, (as_of - start).days + 1)]
        cursor, size = int(query.get("cursor") or 0), min(int(query.get("max_count", 20)), 100)
        page = videos[cursor:cursor + size]
        data = {"videos": page, "cursor": cursor + len(page),
                "has_more": cursor + size < len(videos), "search_id": "sandbox-search"}
        return ctx.respond(request, {"data": data, "error": ok()})

    @app.post("/tiktok/v2/research/user/followers/")
    async def tiktok_user_followers(request: Request):
        as_of = request.state.as_of
        query = await request.json()
        username = query.get("username", "")
        account = ctx.by_handle("tiktok", username, as_of)
        if account is None:
            return tiktok_error(400, "invalid_params", f"user {username} does not exist")
        if account.is_private_on(as_of):
            return tiktok_error(400, "invalid_params", f"user {username} is private")
        size = min(int(query.get("max_count", 20)), 100)
        followers = account.follower_sample(as_of, size)
        # The cursor is a follow time; the sandbox's followers followed one minute apart.
        newest = int(datetime.combine(as_of + timedelta(days=1), datetime.min.time(),
                                      tzinfo=UTC).timestamp())
        data = {"user_followers": [follower_item(f) for f in followers],
                "cursor": newest - 60 * len(followers),
                "has_more": account.followers_on(as_of) > len(followers)}
        return ctx.respond(request, {"data": data, "error": ok()})

    @app.post("/tiktok/v2/research/video/comment/list/")
    async def tiktok_video_comments(request: Request, fields: str = ""):
        as_of = request.state.as_of
        query = await request.json()
        found = ctx.post_index("tiktok", as_of).get(str(query.get("video_id")))
        if found is None:
            return tiktok_error(400, "invalid_params", "video does not exist")
        account, post = found
        cursor, size = int(query.get("cursor") or 0), min(int(query.get("max_count", 10)), 100)
        comments = account.comments_on(post, as_of, cursor + size)[cursor:cursor + size]
        data = {"comments": [comment_item(post, c) for c in comments],
                "cursor": cursor + len(comments),
                "has_more": cursor + size < account.metrics_on(post, as_of).comments}
        return ctx.respond(request, {"data": data, "error": ok()})


def user_item(account: Account, as_of: date) -> dict:
    return {"display_name": account.display_name, "bio_description": account.bio,
            "avatar_url": "", "is_verified": False,
            "follower_count": account.followers_on(as_of),
            "following_count": account.following_on(as_of),
            "likes_count": account.followers_on(as_of) * c.TIKTOK_LIKES_PER_FOLLOWER,
            "video_count": c.TIKTOK_VIDEO_COUNT}


def video_item(account: Account, post: Post, as_of: date) -> dict:
    metrics = account.metrics_on(post, as_of)
    return {
        "id": int(post.post_id), "username": account.handle_on(as_of),
        "create_time": int(post.published_at.timestamp()),
        "region_code": "US", "video_description": post.caption,
        "hashtag_names": [w[1:] for w in post.caption.split() if w.startswith("#")],
        "like_count": metrics.likes, "comment_count": metrics.comments,
        "share_count": metrics.shares, "view_count": metrics.views,
    }


def follower_item(follower: dict) -> dict:
    return {"display_name": follower["full_name"], "username": follower["username"]}


def comment_item(post: Post, comment: Comment) -> dict:
    return {"id": int(comment.comment_id), "video_id": int(post.post_id), "text": comment.text,
            "like_count": comment.like_count, "reply_count": 0,
            "parent_comment_id": int(post.post_id),
            "create_time": int(comment.created_at.timestamp())}


def ok() -> dict:
    return {"code": "ok", "message": "", "log_id": "sandbox"}


def tiktok_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "log_id": "sandbox"}}, status)


def auth_error() -> JSONResponse:
    return tiktok_error(401, "access_token_invalid", "The access token is invalid")
