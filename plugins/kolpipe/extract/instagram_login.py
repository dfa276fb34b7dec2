"""Instagram API with Instagram Login, with the creator's consent (Business Login for
Instagram): the creator's own profile, media and insights, read with their token.

- Onboarding: the creator opens authorize_url; Instagram redirects with a code (valid 1 hour,
  once; the `#_` Instagram appends is not part of it). exchange_code trades it at POST
  api.instagram.com/oauth/access_token (form) for a short-lived token (1 hour), then at
  GET graph.instagram.com/access_token (grant_type=ig_exchange_token) for a long-lived one
  (60 days). The code exchange's reply has two documented shapes: the Business Login guide
  (updated 2026-03-13) wraps it as {"data": [{access_token, user_id, permissions}]}, the
  /oauth/access_token reference shows it flat {access_token, user_id}; both are read.
- Refresh: GET /refresh_access_token (grant_type=ig_refresh_token) returns another 60-day
  token and no refresh token. A token must be at least 24 hours old to be refreshed and one not
  refreshed within its 60 days is lost, so it is refreshed a week ahead (REFRESH_BEFORE).
- Data: GET /me (profile and counts) and /me/media (newest first, cursor paging) land in the
  same instagram accounts, posts and post_metrics as Business Discovery's; the insights are in
  instagram_login_insights.py. view_count is not an Instagram Login media field: null.
- Errors: Graph errors are {"error": {message, type, code, error_subcode, fbtrace_id}}; code
  190 (or subcode 458 app removed, 460 password changed, 463 expired) is the creator's grant
  gone. The OAuth host answers {"error_type", "code", "error_message"} instead.
Doc: developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/
business-login, /docs/instagram-platform/reference/refresh_access_token, .../access_token,
.../oauth-access-token, /docs/graph-api/guides/error-handling.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx

from kolpipe.core.connections import Connection
from kolpipe.extract import instagram_login_insights as insights
from kolpipe.extract.authorized import ConsentRevoked, sandbox_day
from kolpipe.extract.base import Extraction, parse_time
from kolpipe.extract.grants import Grant
from kolpipe.extract.http import AccountError, ApiClient, PlatformError
from kolpipe.extract.instagram import (
    API_VERSION,
    PAGE_SIZE,
    account_row,
    classify_error,
    meta_error,
    metrics_row,
    post_row,
)
from kolpipe.registry import RegistryAccount

APP_CONNECTION = "kol_instagram_creators"
ADDS_TO_PUBLIC = False  # the creator's token reads the profile and media Business Discovery does
REFRESH_BEFORE = timedelta(days=7)
AUTHORIZE_URL = "https://www.instagram.com/oauth/authorize"
TOKEN_URL = "https://api.instagram.com/oauth/access_token"
SCOPES = "instagram_business_basic,instagram_business_manage_insights"
USER_FIELDS = "user_id,username,name,biography,website,followers_count,follows_count,media_count"
MEDIA_FIELDS = ("id,caption,media_type,media_product_type,permalink,timestamp,like_count,"
                "comments_count")
REVOKED_SUBCODES = (458, 460, 463)


def authorize_url(app: Connection, redirect_uri: str, state: str) -> str:
    base = app.extra.get("authorize_url", AUTHORIZE_URL)
    return f"{base}?" + urlencode({"client_id": app.login, "redirect_uri": redirect_uri,
                                   "response_type": "code", "scope": SCOPES, "state": state})


def exchange_code(app: Connection, account_id: str, code: str, redirect_uri: str,
                  now: datetime) -> Grant:
    url = httpx.URL(app.extra.get("token_url", TOKEN_URL))
    oauth = Connection("instagram", f"{url.scheme}://{url.netloc.decode()}", app.token, app.extra)
    with ApiClient(oauth, auth="none", as_of=sandbox_day(now)) as client:
        body = client.request("POST", url.path, on_error=_oauth_error, form={
            "client_id": app.login, "client_secret": app.token,
            "grant_type": "authorization_code", "redirect_uri": redirect_uri,
            "code": code.removesuffix("#_")})
    short = (body.get("data") or [{}])[0] if "data" in body else body
    if not isinstance(short, dict) or not short.get("access_token"):
        raise AccountError("api_error", f"instagram {account_id}: the code exchange returned "
                           f"no access token (keys {sorted(body)})")
    with _token_client(app, short["access_token"], now) as client:
        long_lived = client.request("GET", "access_token", on_error=_graph_token_error, params={
            "grant_type": "ig_exchange_token", "client_secret": app.token})
    return Grant.from_token_reply("instagram", account_id, long_lived, now)


def refresh(app: Connection, grant: Grant, now: datetime) -> Grant:
    with _token_client(app, grant.access_token, now) as client:
        body = client.request("GET", "refresh_access_token", on_error=_graph_token_error,
                              params={"grant_type": "ig_refresh_token"})
    return Grant.from_token_reply("instagram", grant.account_id, body, now, grant)


def _token_client(app: Connection, token: str, now: datetime) -> ApiClient:
    return ApiClient(Connection("instagram", app.base_url, token, app.extra), auth="param",
                     as_of=sandbox_day(now))


def _oauth_error(response: httpx.Response) -> None:
    """api.instagram.com's errors, e.g. {"error_type": "OAuthException", "code": 400,
    "error_message": "Matching code was not found or was already used"}."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    message = str(body.get("error_message") or "") if isinstance(body, dict) else ""
    if "client" in message.lower() or "platform app" in message.lower():
        raise PlatformError(f"instagram: the app's credentials were refused ({message}); check "
                            f"connection {APP_CONNECTION} (login = Instagram app id, password = "
                            "app secret)", "token_rejected")
    detail = message or f"HTTP {response.status_code}"
    raise ConsentRevoked(f"instagram refused the authorization code ({detail}); the creator "
                         "must connect again")


def _graph_token_error(response: httpx.Response) -> None:
    error = meta_error(response)
    if _revoked(error):
        raise ConsentRevoked(f"instagram refused the creator's token ({_detail(error)}); the "
                             "creator revoked access or the token expired: connect again")
    if error.get("code") == 101 or "client_secret" in str(error.get("message", "")):
        raise PlatformError(f"instagram: the app secret was refused ({_detail(error)}); check "
                            f"connection {APP_CONNECTION}", "token_rejected")
    detail = _detail(error) or f"HTTP {response.status_code}"
    raise AccountError("api_error", f"instagram token endpoint: {detail}")


def make_client(app: Connection, grant: Grant, as_of: str | None = None) -> ApiClient:
    creator = Connection("instagram", app.base_url, grant.access_token, app.extra)
    return ApiClient(creator, auth="param", token_param="access_token", as_of=as_of)


def extract(client: ApiClient, account: RegistryAccount, out: Extraction) -> None:
    path = client.conn.extra.get("api_version", API_VERSION)
    on_error = _classifier(account)
    on_insights = _classifier(account, for_insights=True)
    user = client.request("GET", f"{path}/me", params={"fields": USER_FIELDS}, on_error=on_error)
    if str(user.get("user_id", account.account_id)) != account.account_id:
        raise AccountError("wrong_account", f"instagram {account.kol_id}: the creator connected "
                           f"account {user.get('user_id')}, not {account.account_id} "
                           f"(@{account.handle}); ask them to connect the registered account")
    if out.add_account(account, user, account_row) is None:
        return
    cursor = None
    while True:
        params = {"fields": MEDIA_FIELDS, "limit": PAGE_SIZE, **({"after": cursor} if cursor
                                                                 else {})}
        page = client.request("GET", f"{path}/me/media", params=params, on_error=on_error)
        older = False
        for item in page.get("data") or []:
            try:
                published = parse_time(item["timestamp"])
            except (KeyError, TypeError, ValueError, AttributeError):
                out.add("posts", account.account_id, item, post_row)  # quarantined with why
                continue
            if published < out.window_start:
                older = True  # newest first: the rest are older still
            elif published < out.window_end and out.add_post(
                    account.account_id, item, post_row, metrics_row):
                insights.read_media(client, path, str(item["id"]), account, out, on_insights)
        next_cursor = ((page.get("paging") or {}).get("cursors") or {}).get("after")
        if older or not (page.get("paging") or {}).get("next") or not next_cursor:
            break
        if next_cursor == cursor:
            raise PlatformError(f"instagram: /me/media repeated cursor {cursor!r}; stopping")
        cursor = next_cursor
    insights.read_account(client, path, account, out, on_insights)
    insights.read_demographics(client, path, account, out, on_insights)


def _classifier(account: RegistryAccount, for_insights: bool = False):
    def classify(response: httpx.Response) -> None:
        error = meta_error(response)
        if _revoked(error) or (response.status_code == 401 and not error):
            raise ConsentRevoked(f"instagram refused the creator's token ({_detail(error)}); "
                                 "the creator revoked access or the token expired")
        code = error.get("code")
        refused = code in (10, 100) or (isinstance(code, int) and 200 <= code <= 299)
        if for_insights and refused:
            raise insights.InsightsUnavailable(f"insights refused ({_detail(error)})")
        if isinstance(code, int) and (code == 10 or 200 <= code <= 299):
            raise AccountError("access_denied", f"instagram {account.kol_id}: the creator's "
                               f"grant lacks a permission ({_detail(error)}); connect again")
        classify_error(response, account)  # rate limits and unreadable errors, as the public client
    return classify


def _revoked(error: dict) -> bool:
    return error.get("code") == 190 or error.get("error_subcode") in REVOKED_SUBCODES


def _detail(error: dict) -> str:
    if not error:
        return ""
    subcode = f"/{error['error_subcode']}" if error.get("error_subcode") else ""
    return f"code {error.get('code')}{subcode}: {error.get('message', '')}"
