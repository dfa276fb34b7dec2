"""The sandbox: the simulated world served over each platform's own API paths and shapes, with
tokens checked, pagination, rate limits and optional fault injection.

The world is served as it was at the end of the date in the X-Sandbox-As-Of header (the
clients send the logical date when their connection has extra.sandbox), else yesterday.
This module is the shared core (the app, tokens, rate limits, faults); each platform's
endpoints are in routes/<platform>.py.
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
from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox import creators
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.routes import (
    instagram,
    instagram_login,
    tiktok,
    tiktok_display,
    weibo,
    x,
    youtube,
    youtube_analytics,
)
from kolpipe_tools.sandbox.routes.common import Context, handle_index, request_token
from kolpipe_tools.sandbox.world import Account, World

TOKENS = {platform: f"sandbox-{platform}-token" for platform in PLATFORMS}
OUR_IG_USER_ID = "17841400000000001"
PREFIX = {"instagram": "/instagram", "youtube": "/youtube/v3", "tiktok": "/tiktok",
          "x": "/x", "weibo": "/weibo"}
ROUTES = {"instagram": instagram, "youtube": youtube, "tiktok": tiktok, "x": x, "weibo": weibo}
# Creator-authorized APIs served on hosts of their own (graph.instagram.com, Google's OAuth and
# YouTube Analytics), by the platform they belong to. TikTok's Display API shares the Research
# API's host: its paths are routes/tiktok.py's CREATOR_PATHS.
CREATOR_HOSTS = {"instagram-login": "instagram", "google-oauth": "youtube",
                 "youtube-analytics": "youtube"}
CREATOR_PATHS = {"tiktok": tiktok_display.CREATOR_PATHS}
# Each creator API's routes, registered after the platforms' own.
CREATOR_ROUTES = (tiktok_display, youtube_analytics, instagram_login)
# The follower payloads, as the scoring tests build them.
_x_follower, _weibo_follower = x.follower_item, weibo.follower_item


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
    hostile_body: float = 0.0  # a 200 whose body is not the API's: HTML, a list, null, {}


# What a proxy, a CDN or a half-deployed backend answers with a 200 now and then.
HOSTILE_BODIES = (b"<html><body>502 Bad Gateway</body></html>", b"[]", b"null", b"{}",
                  b'{"data": null}', b'"ok"', b'{"error": {}}')


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
    rng = random.Random(world.seed)  # one stream for every fault, in request order
    limiters = {p: RateLimiter(rate_per_second) for p in PLATFORMS}
    served = dict.fromkeys(PLATFORMS, 0)

    @lru_cache(maxsize=16)
    def post_index(platform: str, as_of: date) -> dict[str, tuple[Account, Post]]:
        """Posts looked up by id (videos.list, comments): one scan per platform and date."""
        return {post.post_id: (account, post) for account in world.accounts
                if account.platform == platform and account.exists_on(as_of)
                for post in account.recent_posts(as_of, c.RECENT_POST_DAYS)}

    @app.middleware("http")
    async def platform_gate(request: Request, call_next):
        first = request.url.path.split("/")[1]
        platform = CREATOR_HOSTS.get(first, first)
        if platform not in TOKENS:
            return JSONResponse({"error": "unknown platform path"}, 404)
        # the creators' own APIs check the creator's token in their routes (creators.check)
        creator_path = first in CREATOR_HOSTS or request.url.path.startswith(
            CREATOR_PATHS.get(platform, ("//",)))
        if not creator_path and request_token(request) != TOKENS[platform]:
            return ROUTES[platform].auth_error()
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
        # drawn only when asked for, so the other faults keep their streams
        if faults.hostile_body and rng.random() < faults.hostile_body:
            return Response(rng.choice(HOSTILE_BODIES), 200, media_type="application/json")
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

    ctx = Context(world, handle_index(world), post_index, respond)
    for platform in PLATFORMS:
        ROUTES[platform].register(app, ctx)
    for routes in CREATOR_ROUTES:
        routes.register(app, ctx)
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


def _as_of(request: Request) -> date:
    value = request.headers.get("x-sandbox-as-of")
    if value:
        return date.fromisoformat(value)
    return datetime.now(UTC).date() - timedelta(days=1)


def connections(base_url: str) -> dict[str, str]:
    """AIRFLOW_CONN_KOL_* values pointing the clients at a running sandbox: each platform's
    app token, and each creator API's app credentials (kol_<platform>_creators)."""
    conns = {
        f"AIRFLOW_CONN_KOL_{platform.upper()}": json.dumps({
            "conn_type": "http", "host": f"{base_url}{PREFIX[platform]}",
            "password": TOKENS[platform],
            "extra": {"sandbox": True, "ig_user_id": OUR_IG_USER_ID, "access": "commercial"},
        })
        for platform in PLATFORMS
    }
    for platform, (client_id, secret) in creators.CLIENTS.items():
        conns[f"AIRFLOW_CONN_KOL_{platform.upper()}_CREATORS"] = json.dumps({
            "conn_type": "http", "host": f"{base_url}{CREATOR_BASE[platform]}",
            "login": client_id, "password": secret,
            "extra": {"sandbox": True, **{name: f"{base_url}{path}" for name, path
                                          in CREATOR_EXTRA[platform].items()}},
        })
    return conns


# Where each creator API is served, and its other endpoints as the app connection's extra.
CREATOR_BASE = {"tiktok": "/tiktok", "instagram": "/instagram-login",
                "youtube": "/youtube-analytics/v2"}
CREATOR_EXTRA = {"tiktok": {"authorize_url": "/tiktok/v2/auth/authorize/"},
                 "instagram": {"authorize_url": "/instagram-login/oauth/authorize",
                               "token_url": "/instagram-login/oauth/access_token"},
                 "youtube": {"authorize_url": "/google-oauth/o/oauth2/v2/auth",
                             "token_url": "/google-oauth/token"}}
