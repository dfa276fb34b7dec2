"""Instagram API with Instagram Login, with the creator's consent, under /instagram-login/:
Business Login (authorize, code exchange, long-lived token, refresh) and the creator's own
profile, media and insights, in the shapes of Meta's docs (business-login,
reference/refresh_access_token, api-reference/instagram-user/insights,
reference/instagram-media/insights). The values are instagram_insights.py's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox import creators
from kolpipe_tools.sandbox import instagram_insights as ii
from kolpipe_tools.sandbox.routes.common import Context, request_token
from kolpipe_tools.sandbox.routes.instagram import graph_error, media_item, user_item

BASE = "/instagram-login"
SHORT_LIVED = timedelta(hours=1)
MIN_REFRESH_AGE = timedelta(hours=24)
PAGE_MAX = 100
TOTAL_VALUE_ONLY = ("views", "accounts_engaged", "total_interactions", "profile_views",
                    "website_clicks")
TIMEFRAMES = ("this_week", "this_month")
SCOPES = "instagram_business_basic,instagram_business_manage_insights"


def register(app: FastAPI, ctx: Context) -> None:
    client_id, client_secret = creators.CLIENTS["instagram"]

    @app.get(f"{BASE}/oauth/authorize")
    async def authorize(request: Request):
        # The sandbox plays the creator: `sandbox_user` (an account id) is who logs in.
        params, as_of = request.query_params, request.state.as_of
        if params.get("client_id") != client_id:
            return oauth_error("Invalid platform app")
        code = creators.login(ctx.world, "instagram", params.get("sandbox_user", ""), as_of)
        if code is None:
            query = {"error": "access_denied", "error_reason": "user_denied",
                     "error_description": "The user denied your request",
                     "state": params.get("state", "")}
        else:
            query = {"code": code, "state": params.get("state", "")}
        return RedirectResponse(f"{params.get('redirect_uri', '')}?{urlencode(query)}#_", 302)

    @app.post(f"{BASE}/oauth/access_token")
    async def code_exchange(request: Request):
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (form.get("client_id"), form.get("client_secret")) != (client_id, client_secret):
            return oauth_error("Invalid platform app")
        as_of = request.state.as_of
        account, _ = creators.check(ctx.world, form.get("code", ""), "instagram", "c", as_of)
        if form.get("grant_type") != "authorization_code" or account is None:
            return oauth_error("Matching code was not found or was already used")
        since = creators.unsign(form["code"])["s"]
        short = creators.issue(account, "s", creators.end_of(as_of), date.fromisoformat(since))
        # the Business Login guide's shape; the reference's flat one is in the doc fixtures
        return JSONResponse({"data": [{"access_token": short, "user_id": scoped_id(account),
                                       "permissions": SCOPES}]})

    @app.get(f"{BASE}/access_token")
    async def long_lived(request: Request, grant_type: str = ""):
        params, as_of = request.query_params, request.state.as_of
        if params.get("client_secret") != client_secret:
            return graph_error(101, None, "Error validating client secret.")
        token = request_token(request)
        account, why = creators.check(ctx.world, token, "instagram", "s", as_of)
        payload = creators.unsign(token) or {}
        if account is not None and payload["t"] + SHORT_LIVED.total_seconds() <= _now(as_of):
            account, why = None, "expired"
        if grant_type != "ig_exchange_token" or account is None:
            return token_error(why or "invalid")
        return _long_lived(account, as_of, payload["s"])

    @app.get(f"{BASE}/refresh_access_token")
    async def refresh(request: Request, grant_type: str = ""):
        as_of = request.state.as_of
        token = request_token(request)
        account, why = creators.check(ctx.world, token, "instagram", "a", as_of)
        if grant_type != "ig_refresh_token" or account is None:
            return token_error(why or "invalid")
        payload = creators.unsign(token)
        if payload["t"] + MIN_REFRESH_AGE.total_seconds() > _now(as_of):
            return graph_error(100, None, "(#100) The access token must be at least 24 hours "
                               "old to be refreshed")  # the sandbox's wording
        return _long_lived(account, as_of, payload["s"])

    @app.get(BASE + "/{version}/me")
    async def me(request: Request, fields: str = ""):
        account = _creator(request)
        if isinstance(account, JSONResponse):
            return account
        as_of = request.state.as_of
        posts = account.recent_posts(as_of, c.RECENT_POST_DAYS)
        user = {**user_item(account, as_of, c.INSTAGRAM_MEDIA_COUNT_BASE + len(posts)),
                "user_id": account.user_id, "id": scoped_id(account)}
        return ctx.respond(request, _only(user, fields))

    @app.get(BASE + "/{version}/me/media")
    async def my_media(request: Request, fields: str = "", limit: int = 25, after: str = ""):
        account = _creator(request)
        if isinstance(account, JSONResponse):
            return account
        as_of = request.state.as_of
        posts = account.recent_posts(as_of, c.RECENT_POST_DAYS)
        offset, size = int(after or 0), min(limit, PAGE_MAX)
        page = [_only(media_item(account, p, as_of), fields) for p in posts[offset:offset + size]]
        body: dict = {"data": page}
        if offset + size < len(posts):
            body["paging"] = {"cursors": {"before": str(offset), "after": str(offset + size)},
                              "next": "sandbox://next"}
        return ctx.respond(request, body)

    @app.get(BASE + "/{version}/me/insights")
    async def account_insights(request: Request, metric: str = "", period: str = "",
                               metric_type: str = "time_series", since: int | None = None,
                               breakdown: str = "", timeframe: str = ""):
        account = _creator(request)
        if isinstance(account, JSONResponse):
            return account
        as_of, names = request.state.as_of, metric.split(",")
        if names == ["follower_demographics"]:
            if breakdown not in ("country", "age", "gender", "city") or (
                    timeframe and timeframe not in TIMEFRAMES):
                return graph_error(100, None, "(#100) follower_demographics needs a breakdown "
                                   "(age, city, country, gender) and timeframe this_week or "
                                   "this_month")
            return ctx.respond(request, _demographics(account, as_of, breakdown, timeframe))
        refused = _refused(names, as_of, metric_type)
        if refused:
            return graph_error(100, None, refused)
        day = datetime.fromtimestamp(since, UTC).date() if since else as_of
        values = ii.account_insights(account, day) if day <= as_of else {}
        data = []
        for name in names:
            if name not in values or (name == "follower_count" and account.followers_on(
                    as_of) < ii.MIN_DEMOGRAPHIC_FOLLOWERS):
                continue  # no data: the API leaves the metric out rather than answer 0
            item = {"name": name, "period": period or "day", "title": _title(name),
                    "description": "", "id": f"{account.user_id}/insights/{name}/day"}
            if metric_type == "total_value":
                item["total_value"] = {"value": values[name]}
            else:
                end = datetime.combine(day + timedelta(days=1), time(7), tzinfo=UTC)
                item["values"] = [{"value": values[name],
                                   "end_time": end.strftime("%Y-%m-%dT%H:%M:%S+0000")}]
            data.append(item)
        return ctx.respond(request, {"data": data})

    @app.get(BASE + "/{version}/{media_id}/insights")
    async def media_insights(request: Request, media_id: str, metric: str = ""):
        account = _creator(request)
        if isinstance(account, JSONResponse):
            return account
        as_of, names = request.state.as_of, metric.split(",")
        owner, post = ctx.post_index("instagram", as_of).get(media_id, (None, None))
        if owner is None or owner.key != account.key:
            return graph_error(100, 33, f"Unsupported get request. Object with ID '{media_id}' "
                               "does not exist, cannot be loaded due to missing permissions, or "
                               "does not support this operation.")
        refused = _refused(names, as_of, "total_value")
        if refused:
            return graph_error(100, None, refused)
        values = ii.media_insights(account, post, as_of)
        data = [{"name": n, "period": "lifetime", "values": [{"value": values[n]}],
                 "title": _title(n), "description": "", "id": f"{media_id}/insights/{n}/lifetime"}
                for n in names if n in values]
        return ctx.respond(request, {"data": data})

    def _creator(request: Request):
        account, why = creators.check(ctx.world, request_token(request), "instagram", "a",
                                      request.state.as_of)
        return token_error(why) if account is None else account


def _long_lived(account, as_of: date, since: str) -> JSONResponse:
    token = creators.issue(account, "a", creators.end_of(as_of), date.fromisoformat(since))
    return JSONResponse({"access_token": token, "token_type": "bearer",
                         "expires_in": int(creators.LIFETIMES["instagram"]["a"].total_seconds())})


def _demographics(account, as_of: date, breakdown: str, timeframe: str) -> dict:
    counts = ii.follower_demographics(account, as_of, breakdown)
    if not counts:
        return {"data": []}  # under 100 followers: not returned
    keys = ["timeframe", breakdown] if timeframe else [breakdown]
    results = [{"dimension_values": ([timeframe.upper()] if timeframe else []) + [bucket],
                "value": value} for bucket, value in counts.items()]
    return {"data": [{"name": "follower_demographics", "period": "lifetime",
                      "title": "Follower demographics", "description": "",
                      "total_value": {"breakdowns": [{"dimension_keys": keys,
                                                      "results": results}]},
                      "id": f"{account.user_id}/insights/follower_demographics/lifetime"}]}


def _refused(names: list[str], as_of: date, metric_type: str) -> str:
    """Meta's message for the first metric it would refuse on this date, or ''."""
    for i, name in enumerate(names):
        if name == "impressions" and not ii.available(name, as_of):
            return ("(#100) Starting from version 22 and above, the impressions metric is no "
                    "longer supported for the queried user. Please refer to the documentation "
                    "at https://developers.facebook.com/docs/instagram-api/reference/ig-user/"
                    "insights for a list of supported metrics.")
        if not ii.available(name, as_of):
            return f"(#100) metric[{i}] must be one of the following values: reach, views, ..."
        if name in TOTAL_VALUE_ONLY and metric_type != "total_value":
            return (f"(#100) The following metrics ({name}) should be specified with parameter "
                    "metric_type=total_value")
    return ""


def _only(item: dict, fields: str) -> dict:
    """Graph API nodes return the fields asked for, and the id."""
    wanted = set(filter(None, fields.split(","))) | {"id"}
    return {k: v for k, v in item.items() if k in wanted} if fields else item


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _now(as_of: date) -> float:
    return creators.end_of(as_of).timestamp()


def scoped_id(account) -> str:
    """The Instagram-scoped user id the login returns (not the professional account's id)."""
    return str(10200000000000000 + account.index)


def token_error(why: str) -> JSONResponse:
    if why == "revoked":
        return graph_error(190, 458, "Error validating access token: The user has not "
                           f"authorized application {creators.CLIENTS['instagram'][0]}.")
    if why == "expired":
        return graph_error(190, 463, "Error validating access token: Session has expired.")
    return graph_error(190, None, "Invalid OAuth access token - Cannot parse access token")


def oauth_error(message: str) -> JSONResponse:
    return JSONResponse({"error_type": "OAuthException", "code": 400,
                         "error_message": message}, 400)
