"""Weibo Open API: users/show, statuses/user_timeline, friendships/followers and
comments/show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.comments import Comment
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.routes.common import Context, weibo_time
from kolpipe_tools.sandbox.world import Account


def register(app: FastAPI, ctx: Context) -> None:
    world = ctx.world

    @app.get("/weibo/2/users/show.json")
    def weibo_user(request: Request, uid: str):
        as_of = request.state.as_of
        account = world.account("weibo", uid)
        if account is None or not account.exists_on(as_of):
            return weibo_error(20003, "User does not exists!", "/2/users/show.json")
        if account.is_private_on(as_of):
            return weibo_error(20112, "Can not read the user's statuses", "/2/users/show.json")
        return ctx.respond(request, user_item(account, as_of))

    @app.get("/weibo/2/statuses/user_timeline.json")
    def weibo_timeline(request: Request, uid: str, count: int = 20, page: int = 1):
        as_of = request.state.as_of
        account = world.account("weibo", uid)
        if account is None or not account.exists_on(as_of):
            return weibo_error(20003, "User does not exists!", "/2/statuses/user_timeline.json")
        posts = account.recent_posts(as_of, c.RECENT_POST_DAYS)
        size = min(count, 100)
        statuses = [status_item(account, post, as_of)
                    for post in posts[(page - 1) * size: page * size]]
        return ctx.respond(request, {"statuses": statuses, "total_number": len(posts)})

    @app.get("/weibo/2/friendships/followers.json")
    def weibo_followers(request: Request, uid: str, count: int = 50, cursor: int = 0):
        as_of = request.state.as_of
        account = world.account("weibo", uid)
        if account is None or not account.exists_on(as_of):
            return weibo_error(20003, "User does not exists!", "/2/friendships/followers.json")
        if account.is_private_on(as_of):
            return weibo_error(20112, "Can not read the user's followers",
                               "/2/friendships/followers.json")
        size = min(count, 200)
        users = [follower_item(f, as_of) for f in account.follower_sample(as_of, size)]
        more = account.followers_on(as_of) > len(users)
        return ctx.respond(request, {"users": users, "next_cursor": len(users) if more else 0,
                                     "previous_cursor": 0,
                                     "total_number": account.followers_on(as_of)})

    @app.get("/weibo/2/comments/show.json")
    def weibo_comments(request: Request, id: str, count: int = 50, page: int = 1):
        as_of = request.state.as_of
        found = ctx.post_index("weibo", as_of).get(id)
        if found is None:
            return weibo_error(20101, "Target weibo does not exist!", "/2/comments/show.json")
        account, post = found
        size = min(count, 200)
        comments = account.comments_on(post, as_of, page * size)[(page - 1) * size:page * size]
        body = {"comments": [comment_item(post, c) for c in comments],
                "previous_cursor": 0, "next_cursor": 0,
                "total_number": account.metrics_on(post, as_of).comments}
        return ctx.respond(request, body)


def user_item(account: Account, as_of: date) -> dict:
    created = datetime.combine(account.created_on, datetime.min.time(), tzinfo=UTC)
    return {"id": int(account.user_id), "idstr": account.user_id,
            "screen_name": account.handle_on(as_of), "name": account.display_name,
            "description": account.bio, "followers_count": account.followers_on(as_of),
            "friends_count": account.following_on(as_of),
            "statuses_count": c.WEIBO_STATUSES_COUNT,
            "verified": False, "created_at": weibo_time(created)}


def status_item(account: Account, post: Post, as_of: date) -> dict:
    m = account.metrics_on(post, as_of)
    return {"id": int(post.post_id), "idstr": post.post_id,
            "created_at": weibo_time(post.published_at), "text": post.caption,
            "source": "sandbox", "reposts_count": m.shares,
            "comments_count": m.comments, "attitudes_count": m.likes}


def follower_item(follower: dict, as_of: date) -> dict:
    created = datetime.combine(as_of - timedelta(days=c.FOLLOWER_ACCOUNT_AGE_DAYS),
                               datetime.min.time(), tzinfo=UTC)
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
            "created_at": weibo_time(created)}


def comment_item(post: Post, comment: Comment) -> dict:
    return {"created_at": weibo_time(comment.created_at), "id": int(comment.comment_id),
            "idstr": comment.comment_id, "text": comment.text, "source": "sandbox",
            "user": {"id": int(comment.author_id), "idstr": comment.author_id,
                     "screen_name": comment.author},
            "status": {"id": int(post.post_id), "idstr": post.post_id}}


def weibo_error(code: int, message: str, path: str) -> JSONResponse:
    return JSONResponse({"error": message, "error_code": code, "request": path}, 400)


def auth_error() -> JSONResponse:
    return weibo_error(21332, "invalid_access_token", "/2/")
