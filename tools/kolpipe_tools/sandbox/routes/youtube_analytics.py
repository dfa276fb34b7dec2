"""Google OAuth 2.0 (web server flow) and the YouTube Analytics API v2, with the creator's
consent: authorize (a consenting creator is redirected back with a code at once), the token
endpoint (code exchange and refresh; Google does not rotate refresh tokens) and reports.query
for a channel's daily metrics, age-gender and country audience, in the shapes of Google's docs
(developers.google.com/identity/protocols/oauth2/web-server, youtube/analytics/reference/
reports/query).

The numbers follow the world: a day's views, likes and comments are the growth that day of
the metrics of the channel's videos, and subscribersGained - subscribersLost is the change of
the channel's exact (not rounded) subscriber count. Like YouTube, the newest DATA_LAG_DAYS days
have no data yet.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox import creators
from kolpipe_tools.sandbox.draws import day_number, rng
from kolpipe_tools.sandbox.routes.common import Context, request_token
from kolpipe_tools.sandbox.world import Account, World

SCOPES = ("https://www.googleapis.com/auth/yt-analytics.readonly "
          "https://www.googleapis.com/auth/youtube.readonly")
DATA_LAG_DAYS = 2
DAILY = {"views", "estimatedMinutesWatched", "subscribersGained", "subscribersLost", "likes",
         "comments", "shares"}
AGE_GROUPS = ("age13-17", "age18-24", "age25-34", "age35-44", "age45-54", "age55-64", "age65-")
GENDERS = ("female", "male", "user_specified")
# Where a channel's viewers are, by the creator's language: the first country the most.
COUNTRIES = {"en": ("US", "GB", "CA", "AU", "IN"), "zh": ("TW", "HK", "SG", "MY", "US"),
             "bn": ("BD", "IN", "AE", "GB", "US"), "lv": ("LV", "LT", "EE", "DE", "GB"),
             "es": ("ES", "MX", "AR", "CO", "US"), "de": ("DE", "AT", "CH", "NL", "US")}
UNAUTHENTICATED = ("Request had invalid authentication credentials. Expected OAuth 2 access "
                   "token, login cookie or other valid authentication credential.")


def register(app: FastAPI, ctx: Context) -> None:
    client_id, client_secret = creators.CLIENTS["youtube"]

    @app.get("/google-oauth/o/oauth2/v2/auth")
    async def authorize(request: Request):
        # The sandbox plays the creator: `sandbox_user` (a channel id) is who logs in.
        params = request.query_params
        code = creators.login(ctx.world, "youtube", params.get("sandbox_user", ""),
                              request.state.as_of)
        if params.get("client_id") != client_id or code is None:
            query = {"error": "access_denied", "state": params.get("state", "")}
        else:
            query = {"state": params.get("state", ""), "code": code,
                     "scope": params.get("scope", "")}
        return RedirectResponse(f"{params.get('redirect_uri', '')}?{urlencode(query)}", 302)

    @app.post("/google-oauth/token")
    async def token(request: Request):
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (form.get("client_id"), form.get("client_secret")) != (client_id, client_secret):
            return oauth_error(401, "invalid_client", "The OAuth client was not found.")
        kind = {"authorization_code": "c", "refresh_token": "r"}.get(form.get("grant_type", ""))
        if kind is None:
            return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: "
                               f"{form.get('grant_type', '')}")
        presented = form.get("code" if kind == "c" else "refresh_token", "")
        as_of = request.state.as_of
        account, _ = creators.check(ctx.world, presented, "youtube", kind, as_of)
        if account is None:
            return oauth_error(400, "invalid_grant", "Bad Request" if kind == "c"
                               else "Token has been expired or revoked.")
        since = date.fromisoformat(creators.unsign(presented)["s"])
        tokens = creators.token_set(account, since, creators.end_of(as_of))
        lifetime = creators.LIFETIMES["youtube"]["a"].total_seconds()
        body = {"access_token": tokens["access_token"], "expires_in": int(lifetime) - 1,
                "scope": SCOPES, "token_type": "Bearer"}
        if kind == "c":  # a refresh reply carries no refresh token: the old one stays valid
            body["refresh_token"] = tokens["refresh_token"]
        return JSONResponse(body)

    @app.get("/youtube-analytics/v2/reports")
    def reports(request: Request, ids: str = "", startDate: str = "", endDate: str = "",
                metrics: str = "", dimensions: str = ""):
        as_of = request.state.as_of
        account, why = creators.check(ctx.world, request_token(request), "youtube", "a", as_of)
        if account is None:
            return google_error(401, f"{UNAUTHENTICATED} ({why})", "authError")
        if ids not in ("channel==MINE", f"channel=={account.user_id}"):
            return google_error(403, "Forbidden", "forbidden")
        try:
            start, end = date.fromisoformat(startDate), date.fromisoformat(endDate)
        except ValueError:
            return google_error(400, "Required parameters startDate and endDate (YYYY-MM-DD)",
                                "required")
        names = metrics.split(",")
        last = min(end, as_of - timedelta(days=DATA_LAG_DAYS))
        days = [start + timedelta(days=n) for n in range((last - start).days + 1)
                if account.exists_on(start + timedelta(days=n))]
        if dimensions == "day" and set(names) <= DAILY:
            rows = [[d.isoformat(), *(daily(ctx.world, account, d)[m] for m in names)]
                    for d in days]
            headers = [("day", "DIMENSION", "STRING")] + [metric_header(m) for m in names]
        elif dimensions == "ageGroup,gender" and names == ["viewerPercentage"]:
            rows = [list(cell) for cell in age_gender(ctx.world, account)] if days else []
            headers = [("ageGroup", "DIMENSION", "STRING"), ("gender", "DIMENSION", "STRING"),
                       ("viewerPercentage", "METRIC", "FLOAT")]
        elif dimensions == "country" and names == ["views"]:
            views = sum(daily(ctx.world, account, d)["views"] for d in days)
            rows = countries(ctx.world, account, views)
            headers = [("country", "DIMENSION", "STRING"), ("views", "METRIC", "INTEGER")]
        else:
            return google_error(400, "The query is not supported. Check the documentation at "
                                "https://developers.google.com/youtube/analytics/v2/"
                                "available_reports for a list of supported queries.",
                                "badRequest")
        body = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": [
            {"name": n, "columnType": t, "dataType": d} for n, t, d in headers]}
        if rows:  # Google leaves `rows` out when there is no data
            body["rows"] = rows
        return ctx.respond(request, body)


def daily(world: World, account: Account, d: date) -> dict[str, int]:
    """The channel's day: its videos' growth that day, and its subscribers' change."""
    views = likes = comments = 0
    before = d - timedelta(days=1)
    for post in account.recent_posts(d, c.RECENT_POST_DAYS):
        now, then = account.metrics_on(post, d), account.metrics_on(post, before)
        views += max(0, now.views - then.views)
        likes += max(0, now.likes - then.likes)
        comments += max(0, now.comments - then.comments)
    traits = rng(world.seed, "yt-analytics", account.key)
    minutes_per_view, shares_per_view = traits.uniform(1.5, 6.0), traits.uniform(0.001, 0.01)
    previous = account.followers_on(before)
    change = account.followers_on(d) - previous
    churn = rng(world.seed, "yt-unsubscribed", account.key, day_number(d)).uniform(0.0002, 0.001)
    lost = max(round(previous * churn), -change)
    return {"views": views, "estimatedMinutesWatched": round(views * minutes_per_view),
            "subscribersGained": change + lost, "subscribersLost": lost, "likes": likes,
            "comments": comments, "shares": round(views * shares_per_view)}


def age_gender(world: World, account: Account) -> list[tuple[str, str, float]]:
    """Viewer percentages per (age group, gender), stable for a channel, summing to ~100."""
    source = rng(world.seed, "yt-audience", account.key)
    ages = [source.random() ** 2 for _ in AGE_GROUPS]
    female = source.uniform(0.2, 0.8)
    genders = (female, (1 - female) * 0.97, (1 - female) * 0.03)
    total = sum(ages)
    return [(age, gender, round(100 * a / total * g, 1))
            for age, a in zip(AGE_GROUPS, ages, strict=True)
            for gender, g in zip(GENDERS, genders, strict=True)]


def countries(world: World, account: Account, views: int) -> list[list]:
    source = rng(world.seed, "yt-countries", account.key)
    codes = COUNTRIES.get(account.language, COUNTRIES["en"])
    weights = sorted((source.random() for _ in codes), reverse=True)
    total = sum(weights)
    return [[code, round(views * w / total)] for code, w in zip(codes, weights, strict=True)
            if round(views * w / total) > 0]


def metric_header(name: str) -> tuple[str, str, str]:
    return (name, "METRIC", "INTEGER")


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


def google_error(status: int, message: str, reason: str) -> JSONResponse:
    status_names = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED"}
    return JSONResponse({"error": {"code": status, "message": message, "errors": [
        {"message": message, "domain": "global", "reason": reason}],
        "status": status_names[status]}}, status)
