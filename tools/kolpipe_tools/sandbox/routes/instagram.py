"""Instagram Graph API: Business Discovery on our own IG user node."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.routes.common import Context
from kolpipe_tools.sandbox.world import Account

PAGE = 50


def register(app: FastAPI, ctx: Context) -> None:
    @app.get("/instagram/{version}/{ig_user_id}")
    def instagram_user(request: Request, version: str, ig_user_id: str, fields: str):
        as_of = request.state.as_of
        if not fields.startswith("business_discovery.username("):
            return graph_error(100, None, "only business_discovery is served by the sandbox")
        handle = fields.split("(", 1)[1].split(")", 1)[0]
        after = fields.split(".after(", 1)[1].split(")", 1)[0] if ".after(" in fields else None
        account = ctx.by_handle("instagram", handle, as_of)
        if account is None or account.is_private_on(as_of):
            return graph_error(110, 2207013, f"The user with username: {handle} cannot be found.")
        offset = int(after or 0)
        posts = account.recent_posts(as_of, c.RECENT_POST_DAYS)
        page = posts[offset:offset + PAGE]
        media = {"data": [media_item(account, p, as_of) for p in page]}
        if offset + PAGE < len(posts):
            media["paging"] = {"cursors": {"after": str(offset + PAGE)}, "next": "sandbox://next"}
        user = user_item(account, as_of, c.INSTAGRAM_MEDIA_COUNT_BASE + len(posts))
        user["media"] = media
        return ctx.respond(request, {"business_discovery": user, "id": ig_user_id})


def user_item(account: Account, as_of: date, media_count: int) -> dict:
    return {"id": account.user_id, "username": account.handle_on(as_of),
            "name": account.display_name, "biography": account.bio, "website": None,
            "followers_count": account.followers_on(as_of),
            "follows_count": account.following_on(as_of), "media_count": media_count}


def media_item(account: Account, post: Post, as_of: date) -> dict:
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


def graph_error(code: int, subcode: int | None, message: str, status: int = 400) -> JSONResponse:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "sandbox"}
    if subcode:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status)


def auth_error() -> JSONResponse:
    return graph_error(190, 463, "Error validating access token: Session has expired", 400)
