"""YouTube Analytics API v2 with the creator's consent (Google OAuth 2.0 for web server apps).
The public Data API client still reads the channel and its videos (ADDS_TO_PUBLIC); this
module adds only what the channel's owner can see.

- Onboarding: authorize_url asks for yt-analytics.readonly and youtube.readonly (reports.query
  needs both) with access_type=offline and prompt=consent, so Google returns a refresh token
  every time, not only at the first consent. The access token lasts an hour; the refresh token
  lasts until revoked and is not rotated: a refresh reply has no refresh_token and the grant
  keeps the old one. invalid_grant ("Token has been expired or revoked.") is the consent gone.
- Daily metrics: GET /reports, dimensions=day, for the DAILY_METRICS. Analytics data lags two
  to three days and Google leaves out the days not processed yet (no row, or no `rows` at
  all), so each run re-reads the LAG_DAYS days before the logical date too: a day is landed
  again on each of those runs, the last time once its data is in, and staging keeps the
  latest observation per (account, metric_date, metric). Each metric is one creator_insights
  row under the name of its column header (post_id null, period "day").
- Audience, over the AUDIENCE_DAYS days ending the logical date: ageGroup,gender by
  viewerPercentage and country by views. YouTube's age-gender table has one percentage per
  (age group, gender) pair. It lands as given, dimension "age_gender", bucket
  "age18-24|female", and also summed into the one-dimension rows "age" (bucket "age18-24")
  and "gender" (bucket "female"), which compare with the other platforms' breakdowns. Country
  lands as dimension "country", bucket the ISO code, unit "views". An audience report refused
  for this account is a sample gap: the daily metrics already landed stay.
- The channel is asked for by its id (ids=channel==<id>), not channel==MINE: a creator who
  connected another channel of their Google account gets 403 forbidden instead of landing
  that channel's numbers under this one.
Columns are read by their header names, never by position.
Doc: developers.google.com/youtube/analytics/reference/reports/query, .../channel_reports,
developers.google.com/identity/protocols/oauth2/web-server.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import partial
from urllib.parse import urlencode

import httpx

from kolpipe.core.connections import Connection
from kolpipe.extract.authorized import ConsentRevoked, json_object, token_request
from kolpipe.extract.base import Extraction, required_count
from kolpipe.extract.grants import Grant
from kolpipe.extract.http import AccountError, ApiClient, PlatformError
from kolpipe.registry import RegistryAccount

APP_CONNECTION = "kol_youtube_creators"
ADDS_TO_PUBLIC = True  # the Data API's channel and videos are still read with the API key
AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPES = ("https://www.googleapis.com/auth/yt-analytics.readonly "
          "https://www.googleapis.com/auth/youtube.readonly")
DAILY_METRICS = ("views", "estimatedMinutesWatched", "subscribersGained", "subscribersLost",
                 "likes", "comments", "shares")
LAG_DAYS = 3
AUDIENCE_DAYS = 28
DEMOGRAPHICS = "audience_demographics"


def authorize_url(app: Connection, redirect_uri: str, state: str) -> str:
    base = app.extra.get("authorize_url", AUTHORIZE_URL)
    return f"{base}?" + urlencode({"client_id": app.login, "redirect_uri": redirect_uri,
                                   "response_type": "code", "scope": SCOPES,
                                   "access_type": "offline", "prompt": "consent",
                                   "state": state})


def exchange_code(app: Connection, account_id: str, code: str, redirect_uri: str,
                  now: datetime) -> Grant:
    body = _token_call(app, {"code": code, "grant_type": "authorization_code",
                             "redirect_uri": redirect_uri}, account_id, now)
    return Grant.from_token_reply("youtube", account_id, body, now)


def refresh(app: Connection, grant: Grant, now: datetime) -> Grant:
    body = _token_call(app, {"grant_type": "refresh_token",
                             "refresh_token": grant.refresh_token or ""}, grant.account_id, now)
    return Grant.from_token_reply("youtube", grant.account_id, body, now, grant)


def _token_call(app: Connection, form: dict, account_id: str, now: datetime) -> dict:
    return token_request(app, app.extra.get("token_url", TOKEN_URL), form, account_id, now)


def make_client(app: Connection, grant: Grant, as_of: str | None = None,
                transport: httpx.BaseTransport | None = None) -> ApiClient:
    creator = Connection("youtube", app.base_url, grant.access_token, app.extra)
    return ApiClient(creator, auth="bearer", as_of=as_of, transport=transport)


def extract(client: ApiClient, account: RegistryAccount, out: Extraction) -> None:
    read = partial(_report, client, account)
    end = out.logical_date
    daily = read(end - timedelta(days=LAG_DAYS), end, "day", ",".join(DAILY_METRICS))
    metrics, rows = _table(daily, out, account, "creator_insights")
    for row in rows:
        for metric in metrics:
            out.add("creator_insights", account.account_id, row, partial(_insight, metric))
    start = end - timedelta(days=AUDIENCE_DAYS - 1)
    prefix = f"YouTube Analytics audience report for {account.kol_id}: "
    out.add_sample(DEMOGRAPHICS, account.account_id, lambda: _age_gender(
        read(start, end, "ageGroup,gender", "viewerPercentage"), out, account),
        _demographic, prefix)
    out.add_sample(DEMOGRAPHICS, account.account_id, lambda: _countries(
        read(start, end, "country", "views"), out, account), _demographic, prefix)


def _report(client: ApiClient, account: RegistryAccount, start: date, end: date,
            dimensions: str, metrics: str) -> dict:
    return client.request("GET", "reports", params={
        "ids": f"channel=={account.account_id}", "startDate": start.isoformat(),
        "endDate": end.isoformat(), "metrics": metrics, "dimensions": dimensions},
        on_error=_classifier(account))


def _table(body: dict, out: Extraction, account: RegistryAccount, entity: str
           ) -> tuple[list[str], list[dict]]:
    """The metric names and each row as {column name: value}. Google omits `rows` when there
    is no data; a row that does not match the headers is quarantined."""
    headers = body["columnHeaders"]
    names = [header["name"] for header in headers]
    metrics = [header["name"] for header in headers if header.get("columnType") == "METRIC"]
    rows = []
    for row in body.get("rows") or []:
        if not isinstance(row, list) or len(row) != len(names):
            out.reject(entity, account.account_id, row, f"a report row that does not match "
                       f"its {len(names)} column headers {names}")
            continue
        rows.append(dict(zip(names, row, strict=True)))
    return metrics, rows


def _insight(metric: str, row: dict) -> dict:
    return {"post_id": None, "metric_date": date.fromisoformat(row["day"]), "period": "day",
            "metric": metric, "value": required_count(row, metric)}


def _age_gender(body: dict, out: Extraction, account: RegistryAccount) -> list[dict]:
    _, rows = _table(body, out, account, DEMOGRAPHICS)
    items, sums = [], defaultdict(float)
    for row in rows:
        share = float(row["viewerPercentage"])
        age, gender = str(row["ageGroup"]), str(row["gender"])
        items.append(_item("age_gender", f"{age}|{gender}", share, "viewer_percent", row))
        sums["age", age] += share
        sums["gender", gender] += share
    return items + [_item(dimension, bucket, round(share, 6), "viewer_percent",
                          {"summed_from": "ageGroup,gender"})
                    for (dimension, bucket), share in sums.items()]


def _countries(body: dict, out: Extraction, account: RegistryAccount) -> list[dict]:
    _, rows = _table(body, out, account, DEMOGRAPHICS)
    return [_item("country", str(row["country"]), float(row["views"]), "views", row)
            for row in rows]


def _item(dimension: str, bucket: str, value: float, unit: str, source: dict) -> dict:
    return {"dimension": dimension, "bucket": bucket, "value": value, "unit": unit,
            "source": source}


def _demographic(item: dict) -> dict:
    return {name: item[name] for name in ("dimension", "bucket", "value", "unit")}


def _classifier(account: RegistryAccount):
    """Google's API errors are {"error": {"code", "message", "errors": [{"reason"}]}}."""
    def classify(response: httpx.Response) -> None:
        error = json_object(response).get("error")
        error = error if isinstance(error, dict) else {}
        reasons = {item.get("reason") for item in error.get("errors") or []
                   if isinstance(item, dict)}
        message = error.get("message", "")
        if response.status_code == 401:
            raise ConsentRevoked(f"google refused the creator's token for {account.kol_id} "
                                 f"({message}); the creator revoked access")
        if reasons & {"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded"}:
            raise PlatformError(f"youtube: the app's Analytics API quota is used up ({message});"
                                " the gap is recorded, rerun tomorrow", "quota")
        if "insufficientPermissions" in reasons:
            raise ConsentRevoked(f"google: the creator's grant for {account.kol_id} lacks the "
                                 f"Analytics scope ({message}); the creator must connect again")
        if response.status_code == 403:
            raise AccountError("wrong_channel", f"youtube {account.kol_id}: the creator's grant "
                               f"does not own channel {account.account_id} ({message}); ask "
                               "them to connect again and pick this channel")
        if response.status_code in (400, 404):
            raise AccountError("api_error", f"youtube {account.kol_id}: {message}")
    return classify
