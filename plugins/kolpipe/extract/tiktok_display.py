"""TikTok Display API with the creator's consent (Login Kit, OAuth v2): the commercial
default, since the Research API is for academic research only (docs/access.md).

- Onboarding: the creator opens authorize_url, TikTok redirects with a code, and
  exchange_code trades it at POST /v2/oauth/token/ (form-encoded) for an access token (2 hours
  in the docs of November 2026, 24 hours before) and a refresh token (180 days, 365 before).
  Each refresh returns a new refresh token and the previous one stops working, so the grant is
  stored again after every refresh (extract/authorized.py).
- Data: GET /v2/user/info/ (user.info.basic, .profile, .stats: follower, following, likes and
  video counts) and POST /v2/video/list/ (video.list: the creator's public videos, newest
  first, max_count 20, paged by a cursor in milliseconds with has_more). The videos land in
  the same tiktok posts and post_metrics as the Research API's; the Display API gives no
  region or follower list, so those stay null and the follower sample is recorded as a gap.
Doc: developers.tiktok.com/doc/oauth-user-access-token-management, /doc/tiktok-api-v2-get-user
-info, /doc/tiktok-api-v2-video-list, /doc/oauth-error-handling.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx

from kolpipe.core.connections import Connection
from kolpipe.extract.authorized import ConsentRevoked, json_object, token_request
from kolpipe.extract.base import Extraction
from kolpipe.extract.grants import Grant
from kolpipe.extract.http import AccountError, ApiClient, PlatformError
from kolpipe.extract.tiktok import account_row, metrics_row
from kolpipe.registry import RegistryAccount

APP_CONNECTION = "kol_tiktok_creators"
ADDS_TO_PUBLIC = False  # the Display API gives what the public client would, and more
AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.list"
USER_FIELDS = ("open_id,union_id,username,display_name,bio_description,avatar_url,is_verified,"
               "follower_count,following_count,likes_count,video_count")
VIDEO_FIELDS = ("id,create_time,title,video_description,duration,share_url,like_count,"
                "comment_count,share_count,view_count")
PAGE_SIZE = 20  # the endpoint's maximum
HASHTAG = re.compile(r"#(\w+)")


def authorize_url(app: Connection, redirect_uri: str, state: str) -> str:
    base = app.extra.get("authorize_url", AUTHORIZE_URL)
    return f"{base}?" + urlencode({"client_key": app.login, "scope": SCOPES,
                                   "response_type": "code", "redirect_uri": redirect_uri,
                                   "state": state})


def exchange_code(app: Connection, account_id: str, code: str, redirect_uri: str,
                  now: datetime) -> Grant:
    body = _token_call(app, {"code": code, "grant_type": "authorization_code",
                             "redirect_uri": redirect_uri}, account_id, now)
    return Grant.from_token_reply("tiktok", account_id, body, now)


def refresh(app: Connection, grant: Grant, now: datetime) -> Grant:
    body = _token_call(app, {"grant_type": "refresh_token",
                             "refresh_token": grant.refresh_token or ""}, grant.account_id, now)
    return Grant.from_token_reply("tiktok", grant.account_id, body, now, grant)


def _token_call(app: Connection, form: dict, account_id: str, now: datetime) -> dict:
    body = token_request(app, app.base_url.rstrip("/") + "/v2/oauth/token/", form, account_id,
                         now, credentials=("client_key", "client_secret"))
    return _unwrapped(body)


def _unwrapped(body: dict) -> dict:
    """The token fields, in either documented shape: the endpoint's reference
    (/doc/oauth-user-access-token-management) shows them at the top level, while
    /doc/display-api-get-started still prints the older reply nested under "data" beside
    error_code and message. Reading both keeps a connection from failing on the older shape."""
    data = body.get("data")
    if "access_token" not in body and isinstance(data, dict) and "access_token" in data:
        return data
    return body


def make_client(app: Connection, grant: Grant, as_of: str | None = None) -> ApiClient:
    creator = Connection("tiktok", app.base_url, grant.access_token, app.extra)
    return ApiClient(creator, auth="bearer", as_of=as_of)


def extract(client: ApiClient, account: RegistryAccount, out: Extraction) -> None:
    on_error = _classifier(account)
    body = client.request("GET", "v2/user/info/", params={"fields": USER_FIELDS},
                          on_error=on_error)
    user = body["data"]["user"]
    if out.add_account(account, user, account_row) is None:
        return
    cursor: int | None = None
    while True:
        page = {"max_count": PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
        data = client.request("POST", "v2/video/list/", params={"fields": VIDEO_FIELDS},
                              json_body=page, on_error=on_error)["data"]
        older = False
        for item in data.get("videos") or []:
            published = datetime.fromtimestamp(int(item.get("create_time") or 0), tz=UTC)
            if published < out.window_start:
                older = True  # newest first: the rest are older still
                continue
            if published < out.window_end:
                out.add_post(account.account_id, item, _post_row, metrics_row)
        if older or not data.get("has_more"):
            break
        if data.get("cursor") == cursor:
            raise PlatformError("tiktok: video.list repeated its cursor; stopping")
        cursor = data.get("cursor")
    out.sample_gaps.append({"account_id": account.account_id, "entity": "follower_samples",
                            "message": "the Display API has no follower list"})


def _classifier(account: RegistryAccount):
    def classify(response: httpx.Response) -> None:
        error = json_object(response).get("error") or {}
        code = error.get("code", "") if isinstance(error, dict) else str(error)
        message = error.get("message", "") if isinstance(error, dict) else ""
        if code in ("access_token_invalid", "scope_not_authorized") or \
                response.status_code == 401:
            raise ConsentRevoked(f"tiktok refused the creator's token ({code}: {message}); "
                                 "the creator revoked access or removed a scope")
        if code == "daily_quota_limit_exceeded":
            raise PlatformError("tiktok: the app's daily Display API quota is used up; the "
                                "gap is recorded, rerun tomorrow", "quota")
        if response.status_code in (400, 404):
            raise AccountError("api_error", f"tiktok {account.kol_id}: {code}: {message}")
    return classify


def _post_row(item: dict) -> dict:
    description = item.get("video_description") or item.get("title")
    return {
        "id": str(item["id"]),
        "create_time": datetime.fromtimestamp(int(item["create_time"]), tz=UTC),
        "video_description": description,
        "region_code": None,  # not in the Display API
        "hashtag_names": ",".join(HASHTAG.findall(description or "")),
    }
