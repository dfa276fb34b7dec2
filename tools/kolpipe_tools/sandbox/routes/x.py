"""X API v2: users lookup, a user's posts, a user's followers and recent search (replies)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.comments import Comment
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.routes.common import Context, iso
from kolpipe_tools.sandbox.world import Account


def register(app: FastAPI, ctx: Context) -> None:
    world = ctx.world

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
            data.append(user_item(account, as_of))
        body = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return ctx.respond(request, body)

    @app.get("/x/2/users/{user_id}/tweets")
    def x_user_tweets(request: Request, user_id: str, max_results: int = 10,
                      pagination_token: str | None = None, start_time: str | None = None,
                      end_time: str | None = None):
        as_of = request.state.as_of
        account = world.account("x", user_id)
        if account is None or not account.exists_on(as_of):
            return x_error(404, "Not Found Error", "user not found", "resource-not-found")
        since = datetime.fromisoformat(start_time.replace("Z", "+00:00")) if start_time else None
        posts = [p for p in account.recent_posts(as_of, c.RECENT_POST_DAYS)
                 if since is None or p.published_at >= since]
        offset, size = int(pagination_token or 0), max(5, min(max_results, 100))
        data = [tweet_item(account, post, as_of) for post in posts[offset:offset + size]]
        meta = {"result_count": len(data)}
        if offset + size < len(posts):
            meta["next_token"] = str(offset + size)
        return ctx.respond(request, {"data": data, "meta": meta} if data else {"meta": meta})

    @app.get("/x/2/users/{user_id}/followers")
    def x_user_followers(request: Request, user_id: str, max_results: int = 100,
                         pagination_token: str | None = None):
        as_of = request.state.as_of
        account = world.account("x", user_id)
        if account is None or not account.exists_on(as_of):
            return x_error(404, "Not Found Error", "user not found", "resource-not-found")
        if account.is_private_on(as_of):
            return x_error(403, "Authorization Error", "protected user",
                           "not-authorized-for-resource")
        size = max(1, min(max_results, 1000))
        data = [follower_item(f, as_of) for f in account.follower_sample(as_of, size)]
        meta = {"result_count": len(data)}
        if account.followers_on(as_of) > len(data):
            meta["next_token"] = f"sandbox-{len(data)}"
        return ctx.respond(request, {"data": data, "meta": meta} if data else {"meta": meta})

    @app.get("/x/2/tweets/search/recent")
    def x_search_recent(request: Request, query: str, max_results: int = 10,
                        next_token: str | None = None):
        as_of = request.state.as_of
        conversation = query.split("conversation_id:", 1)[1].split()[0] if (
            "conversation_id:" in query) else ""
        found = ctx.post_index("x", as_of).get(conversation)
        offset, size = int(next_token or 0), max(10, min(max_results, 100))
        comments = []
        if found is not None:
            account, post = found
            comments = account.comments_on(post, as_of, offset + size)[offset:offset + size]
        data = [reply_item(c) for c in comments]
        users = {c.author_id: {"id": c.author_id, "username": c.author, "name": c.author}
                 for c in comments}
        meta = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        if found is not None and offset + size < found[0].metrics_on(found[1], as_of).comments:
            meta["next_token"] = str(offset + size)
        body = {"data": data, "includes": {"users": list(users.values())}, "meta": meta}
        return ctx.respond(request, body if data else {"meta": meta})


def user_item(account: Account, as_of: date) -> dict:
    return {
        "id": account.user_id, "username": account.handle_on(as_of),
        "name": account.display_name,
        "description": account.bio, "protected": account.is_private_on(as_of),
        "created_at": f"{account.created_on.isoformat()}T00:00:00.000Z",
        "public_metrics": {"followers_count": account.followers_on(as_of),
                           "following_count": account.following_on(as_of),
                           "tweet_count": c.X_TWEET_COUNT, "listed_count": c.X_LISTED_COUNT,
                           "like_count": c.X_LIKE_COUNT},
    }


def tweet_item(account: Account, post: Post, as_of: date) -> dict:
    m = account.metrics_on(post, as_of)
    return {"id": post.post_id, "text": post.caption, "lang": account.language,
            "created_at": iso(post.published_at), "edit_history_tweet_ids": [post.post_id],
            "public_metrics": {"retweet_count": m.shares, "reply_count": m.comments,
                               "like_count": m.likes, "quote_count": m.saves // 2,
                               "bookmark_count": m.saves - m.saves // 2,
                               "impression_count": m.views}}


def _profile_image(follower: dict) -> str:
    if follower["has_profile_pic"]:
        return f"https://pbs.twimg.com/profile_images/{follower['id']}/photo_normal.jpg"
    return "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"


def follower_item(follower: dict, as_of: date) -> dict:
    created = as_of - timedelta(days=c.FOLLOWER_ACCOUNT_AGE_DAYS)
    return {"id": follower["id"], "username": follower["username"],
            "name": follower["full_name"], "description": follower["bio"],
            "protected": follower["is_private"],
            "url": "https://t.co/sandbox" if follower["has_external_url"] else "",
            "profile_image_url": _profile_image(follower),
            "created_at": f"{created.isoformat()}T00:00:00.000Z",
            "public_metrics": {"followers_count": follower["followers_count"],
                               "following_count": follower["following_count"],
                               "tweet_count": follower["posts_count"], "listed_count": 0,
                               "like_count": 0}}


def reply_item(comment: Comment) -> dict:
    return {"id": comment.comment_id, "text": comment.text, "author_id": comment.author_id,
            "conversation_id": comment.post_id, "created_at": iso(comment.created_at),
            "edit_history_tweet_ids": [comment.comment_id]}


def x_error(status: int, title: str, detail: str, problem: str) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail,
                         "type": f"https://api.twitter.com/2/problems/{problem}"}, status)


def auth_error() -> JSONResponse:
    return JSONResponse({"title": "Unauthorized", "type": "about:blank", "status": 401,
                         "detail": "Unauthorized"}, 401)
