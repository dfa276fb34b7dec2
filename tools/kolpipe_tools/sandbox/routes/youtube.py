"""YouTube Data API v3: channels, playlistItems (the uploads playlist), videos and
commentThreads."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.comments import Comment
from kolpipe_tools.sandbox.draws import round_significant
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.routes.common import Context, iso
from kolpipe_tools.sandbox.world import Account


def register(app: FastAPI, ctx: Context) -> None:
    world = ctx.world

    @app.get("/youtube/v3/channels")
    def youtube_channels(request: Request, id: str, part: str = ""):
        as_of = request.state.as_of
        items = []
        for channel_id in id.split(",")[:50]:
            account = world.account("youtube", channel_id)
            if account is None or not account.exists_on(as_of) or account.is_private_on(as_of):
                continue
            items.append(channel_item(account, as_of))
        return ctx.respond(request, {"kind": "youtube#channelListResponse", "items": items,
                                     "pageInfo": {"totalResults": len(items),
                                                  "resultsPerPage": 50}})

    @app.get("/youtube/v3/playlistItems")
    def youtube_playlist_items(request: Request, playlistId: str, maxResults: int = 5,
                               pageToken: str | None = None):
        as_of = request.state.as_of
        account = world.account("youtube", "UC" + playlistId[2:])
        if account is None or not account.exists_on(as_of):
            return JSONResponse({"error": {"code": 404, "errors": [
                {"reason": "playlistNotFound"}]}}, 404)
        posts = account.recent_posts(as_of, c.RECENT_POST_DAYS)
        offset, size = int(pageToken or 0), min(maxResults, 50)
        body = {"kind": "youtube#playlistItemListResponse", "items": [
            {"contentDetails": {"videoId": p.post_id, "videoPublishedAt": iso(p.published_at)}}
            for p in posts[offset:offset + size]]}
        if offset + size < len(posts):
            body["nextPageToken"] = str(offset + size)
        return ctx.respond(request, body)

    @app.get("/youtube/v3/videos")
    def youtube_videos(request: Request, id: str, part: str = ""):
        as_of = request.state.as_of
        index = ctx.post_index("youtube", as_of)
        items = [video_item(account, post, as_of)
                 for account, post in (index[v] for v in id.split(",")[:50] if v in index)]
        return ctx.respond(request, {"kind": "youtube#videoListResponse", "items": items})

    @app.get("/youtube/v3/commentThreads")
    def youtube_comment_threads(request: Request, videoId: str, part: str = "",
                                maxResults: int = 20, pageToken: str | None = None,
                                order: str = "time", textFormat: str = "html"):
        as_of = request.state.as_of
        found = ctx.post_index("youtube", as_of).get(videoId)
        if found is None:
            return JSONResponse({"error": {"code": 404, "message": "video not found",
                                           "errors": [{"reason": "videoNotFound"}]}}, 404)
        account, post = found
        offset, size = int(pageToken or 0), min(maxResults, 100)
        comments = account.comments_on(post, as_of, offset + size)
        items = [thread_item(account, c) for c in comments[offset:offset + size]]
        body = {"kind": "youtube#commentThreadListResponse",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": size}, "items": items}
        if offset + size < account.metrics_on(post, as_of).comments:
            body["nextPageToken"] = str(offset + size)
        return ctx.respond(request, body)


def channel_item(account: Account, as_of: date) -> dict:
    followers = round_significant(account.followers_on(as_of))
    statistics = {"viewCount": str(followers * c.YOUTUBE_VIEWS_PER_SUBSCRIBER),
                  "videoCount": str(c.YOUTUBE_VIDEO_COUNT),
                  "hiddenSubscriberCount": account.hidden_subscribers}
    if not account.hidden_subscribers:
        statistics["subscriberCount"] = str(followers)
    return {
        "kind": "youtube#channel", "id": account.user_id,
        "snippet": {"title": account.display_name, "description": account.bio,
                    "customUrl": "@" + account.handle_on(as_of),
                    "publishedAt": f"{account.created_on.isoformat()}T00:00:00Z"},
        "statistics": statistics,
        "contentDetails": {"relatedPlaylists": {"uploads": "UU" + account.user_id[2:]}},
    }


def video_item(account: Account, post: Post, as_of: date) -> dict:
    metrics = account.metrics_on(post, as_of)
    return {
        "kind": "youtube#video", "id": post.post_id,
        "snippet": {"publishedAt": iso(post.published_at), "channelId": account.user_id,
                    "title": post.caption, "description": post.caption},
        "statistics": {"viewCount": str(metrics.views), "likeCount": str(metrics.likes),
                       "commentCount": str(metrics.comments)},
        "paidProductPlacementDetails": {"hasPaidProductPlacement": post.is_sponsored},
    }


def thread_item(account: Account, comment: Comment) -> dict:
    snippet = {"channelId": account.user_id, "videoId": comment.post_id,
               "textDisplay": comment.text, "textOriginal": comment.text,
               "authorDisplayName": "@" + comment.author,
               "authorChannelUrl": f"http://www.youtube.com/@{comment.author}",
               "authorChannelId": {"value": comment.author_id}, "canRate": True,
               "viewerRating": "none", "likeCount": comment.like_count,
               "publishedAt": iso(comment.created_at), "updatedAt": iso(comment.created_at)}
    return {"kind": "youtube#commentThread", "id": comment.comment_id,
            "snippet": {"channelId": account.user_id, "videoId": comment.post_id,
                        "topLevelComment": {"kind": "youtube#comment", "id": comment.comment_id,
                                            "snippet": snippet},
                        "canReply": True, "totalReplyCount": 0, "isPublic": True}}


def auth_error() -> JSONResponse:
    return JSONResponse({"error": {"code": 400, "message": "API key not valid.",
                                   "errors": [{"reason": "keyInvalid"}]}}, 400)
