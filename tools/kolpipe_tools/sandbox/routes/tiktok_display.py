"""TikTok Login Kit and Display API, with the creator's consent: authorize (a consenting
creator is redirected back with a code at once), the token endpoint (code exchange and
refresh, rotating the refresh token), user info and video list, in the shapes of TikTok's docs
(developers.tiktok.com/doc/oauth-user-access-token-management, tiktok-api-v2-get-user-info,
tiktok-api-v2-video-list)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox import creators
from kolpipe_tools.sandbox.routes.common import Context, request_token
from kolpipe_tools.sandbox.routes.tiktok import ok, tiktok_error, user_item, video_item

CREATOR_PATHS = ("/tiktok/v2/auth/", "/tiktok/v2/oauth/", "/tiktok/v2/user/",
                 "/tiktok/v2/video/list/")
PAGE_MAX = 20


def register(app: FastAPI, ctx: Context) -> None:
    newest_refresh: dict[str, int] = {}  # account -> issue time of its newest refresh token
    client_key, client_secret = creators.CLIENTS["tiktok"]

    @app.get("/tiktok/v2/auth/authorize/")
    async def authorize(request: Request):
        # The sandbox plays the creator: `sandbox_user` (an account id) is who logs in.
        params = request.query_params
        code = creators.login(ctx.world, "tiktok", params.get("sandbox_user", ""),
                              request.state.as_of)
        if code is None:
            query = {"error": "access_denied", "error_description": "the user did not consent",
                     "state": params.get("state", "")}
        else:
            query = {"code": code, "scopes": params.get("scope", ""),
                     "state": params.get("state", "")}
        return RedirectResponse(f"{params.get('redirect_uri', '')}?{urlencode(query)}", 302)

    @app.post("/tiktok/v2/oauth/token/")
    async def token(request: Request):
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (form.get("client_key"), form.get("client_secret")) != (client_key, client_secret):
            return oauth_error(401, "invalid_client", "Client key or secret is incorrect.")
        grant_type = form.get("grant_type")
        kind = {"authorization_code": "c", "refresh_token": "r"}.get(grant_type or "")
        if kind is None:
            return oauth_error(400, "unsupported_grant_type", f"grant_type {grant_type!r}")
        token_ = form.get("code" if kind == "c" else "refresh_token", "")
        as_of = request.state.as_of
        account, why = creators.check(ctx.world, token_, "tiktok", kind, as_of)
        payload = creators.unsign(token_) or {}
        if account is not None and kind == "r" and payload["t"] < newest_refresh.get(
                account.key, 0):
            account, why = None, "rotated"
        if account is None:
            what = "code" if kind == "c" else "refresh token"
            return oauth_error(400, "invalid_grant", f"The {what} is {why}.")
        now = creators.end_of(as_of)
        tokens = creators.token_set(account, date_of(payload["s"]), now)
        newest_refresh[account.key] = int(now.timestamp())
        return JSONResponse({**tokens, "open_id": account.user_id, "scope": SCOPES,
                             "token_type": "Bearer"})

    @app.get("/tiktok/v2/user/info/")
    async def user_info(request: Request, fields: str = ""):
        account = _creator(request)
        if isinstance(account, JSONResponse):
            return account
        as_of = request.state.as_of
        user = {**user_item(account, as_of), "open_id": account.user_id,
                "union_id": f"u{account.user_id}", "username": account.handle_on(as_of)}
        return ctx.respond(request, {"data": {"user": user}, "error": ok()})

    @app.post("/tiktok/v2/video/list/")
    async def video_list(request: Request, fields: str = ""):
        account = _creator(request)
        if isinstance(account, JSONResponse):
            return account
        as_of = request.state.as_of
        query = await request.json()
        size = min(int(query.get("max_count") or PAGE_MAX), PAGE_MAX)
        before = int(query.get("cursor") or 0)
        posts = sorted(account.recent_posts(as_of, c.RECENT_POST_DAYS),
                       key=lambda p: p.published_at, reverse=True)
        if before:
            posts = [p for p in posts if p.published_at.timestamp() * 1000 < before]
        page = posts[:size]
        videos = []
        for post in page:
            item = video_item(account, post, as_of)
            for name in ("username", "region_code", "hashtag_names"):
                item.pop(name)  # not Display API fields
            share_url = f"https://www.tiktok.com/@{account.handle}/video/{post.post_id}"
            videos.append({**item, "title": post.caption[:150], "duration": 30,
                           "share_url": share_url})
        cursor = int(page[-1].published_at.timestamp() * 1000) if page else before
        data = {"videos": videos, "cursor": cursor, "has_more": len(posts) > size}
        return ctx.respond(request, {"data": data, "error": ok()})

    def _creator(request: Request):
        account, why = creators.check(ctx.world, request_token(request), "tiktok", "a",
                                      request.state.as_of)
        if account is None:
            return tiktok_error(401, "access_token_invalid",
                                f"The access token is invalid or not found in the request "
                                f"({why}).")
        return account


SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.list"


def date_of(iso: str) -> date:
    return date.fromisoformat(iso)


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description,
                         "log_id": "sandbox"}, status)
