"""TikTok's Display API client (extract/tiktok_display.py) against TikTok's documented example
responses (tests/fixtures/platform_docs/tiktok_display, provenance in its README), served
through httpx.MockTransport at the paths the client calls: the token replies become grants
with the documented lifetimes, the documented profile and videos land as the tiktok accounts,
posts and post_metrics rows, paging follows the documented cursor until has_more is false, and
the documented errors end the creator's consent.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import partial
from urllib.parse import parse_qs

import httpx
import pytest
from test_platform_doc_examples import FIXTURES, DocServer

from kolpipe.core.connections import Connection
from kolpipe.extract import authorized, tiktok_display
from kolpipe.extract.authorized import CONSENT_REVOKED, ConsentRevoked
from kolpipe.extract.base import Extraction
from kolpipe.extract.grants import Grant
from kolpipe.extract.http import AccountError, ApiClient
from kolpipe.registry import RegistryAccount

DOCS = "tiktok_display"
NOW = datetime(2022, 3, 12, 23, 0, tzinfo=UTC)
# The documented videos' create_time (added to the examples, see the README) fall in the
# 14 days this logical date reads.
DAY = date(2022, 3, 12)
APP = Connection("tiktok", "https://open.tiktokapis.com", "doc-client-secret", {},
                 login="doc-client-key")
REDIRECT = "https://kolpipe.example/callback"
OPEN_ID = "723f24d7-e717-40f8-a2b6-cb8464cd23b4"
ACCOUNT = RegistryAccount("doc_tiktoker", "tiktok", OPEN_ID, "tiktoker", "authorized")
ACCESS = "act.example12345Example12345Example"
REFRESH = "rft.example12345Example12345Example"
PAGE1_CURSOR = 1646883959000  # video_list.page1.json's documented cursor


def _doc(name: str) -> dict:
    return json.loads((FIXTURES / DOCS / name).read_text(encoding="utf-8"))


def _unexpected(request: httpx.Request) -> AssertionError:
    body = request.content.decode() if request.content else ""
    return AssertionError(f"unexpected call {request.method} {request.url} {body}")


@pytest.fixture()
def serve(monkeypatch):
    """Puts a DocServer behind every ApiClient the client module makes (token calls and the
    creator's client alike), leaving the client's own signatures as they are."""
    def install(route) -> DocServer:
        server = DocServer(DOCS, route)
        client = partial(ApiClient, transport=httpx.MockTransport(server))
        for module in (tiktok_display, authorized):  # authorized makes the token calls
            monkeypatch.setattr(module, "ApiClient", client)
        return server
    return install


def _token_route(answer: str | httpx.Response):
    def route(request: httpx.Request) -> str | httpx.Response:
        if request.method != "POST" or request.url.path != "/v2/oauth/token/":
            raise _unexpected(request)
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert "Authorization" not in request.headers  # the client secret is in the form
        return answer
    return route


def _form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


def _previous_grant() -> Grant:
    connected = NOW - timedelta(days=30)
    return Grant("tiktok", OPEN_ID, "act.previous", NOW + timedelta(minutes=10), "rft.previous",
                 connected + timedelta(days=365), "user.info.basic,video.list", connected)


# --- /v2/oauth/token/ ---------------------------------------------------------------------

def test_code_exchange_gives_the_documented_grant(serve):
    server = serve(_token_route("oauth_token.json"))

    grant = tiktok_display.exchange_code(APP, OPEN_ID, "CODE", REDIRECT, NOW)

    assert (grant.platform, grant.account_id, grant.status) == ("tiktok", OPEN_ID, "active")
    assert (grant.access_token, grant.refresh_token) == (ACCESS, REFRESH)
    assert grant.expires_at == NOW + timedelta(seconds=86400)
    assert grant.consent_expires_at == NOW + timedelta(seconds=31536000)
    assert grant.scope == "user.info.basic,video.list"
    assert grant.granted_at == NOW
    [request] = server.requests
    assert _form(request) == {"client_key": "doc-client-key", "client_secret": "doc-client-secret",
                              "code": "CODE", "grant_type": "authorization_code",
                              "redirect_uri": REDIRECT}


def test_refresh_gives_the_documented_grant_and_keeps_the_connection_date(serve):
    server = serve(_token_route("oauth_token.refresh_token.json"))
    previous = _previous_grant()

    grant = tiktok_display.refresh(APP, previous, NOW)

    assert (grant.access_token, grant.refresh_token) == (ACCESS, REFRESH)
    assert grant.expires_at == NOW + timedelta(seconds=86400)
    # refresh_expires_in counts from this refresh: the consent's end moves with it.
    assert grant.consent_expires_at == NOW + timedelta(seconds=31536000)
    assert grant.granted_at == previous.granted_at
    [request] = server.requests
    assert _form(request) == {"client_key": "doc-client-key", "client_secret": "doc-client-secret",
                              "grant_type": "refresh_token", "refresh_token": "rft.previous"}


def test_refresh_with_the_2026_lifetimes_stores_the_rotated_refresh_token(serve):
    serve(_token_route("oauth_token.refresh_token.2026.json"))

    grant = tiktok_display.refresh(APP, _previous_grant(), NOW)

    assert grant.access_token == "act.example67890Example67890Example"
    assert grant.refresh_token == "rft.example67890Example67890Example"  # rotated, not kept
    assert grant.expires_at - NOW == timedelta(hours=2)
    assert grant.consent_expires_at - NOW == timedelta(days=180)


def test_the_get_started_pages_nested_token_reply_is_read_too(serve):
    """display-api-get-started prints the reply under "data" with error_code and message;
    the token endpoint's reference prints it flat. The client reads both (README)."""
    serve(_token_route("oauth_token.get_started_nested.json"))

    grant = tiktok_display.exchange_code(APP, OPEN_ID, "CODE", REDIRECT, NOW)

    assert (grant.access_token, grant.refresh_token) == (ACCESS, REFRESH)
    assert grant.expires_at == NOW + timedelta(seconds=86400)
    assert grant.consent_expires_at == NOW + timedelta(seconds=31536000)
    assert grant.scope == "user.info.basic"


@pytest.mark.parametrize("status", [400, 200])
def test_invalid_grant_is_the_creators_consent_gone(serve, status):
    """Whether TikTok sends the OAuth error with HTTP 400 (RFC 6749) or 200, a refused
    refresh token means the creator must connect again."""
    serve(_token_route(httpx.Response(status, json=_doc("oauth_token.invalid_grant.json"))))

    with pytest.raises(ConsentRevoked, match="invalid_grant") as caught:
        tiktok_display.refresh(APP, _previous_grant(), NOW)
    assert caught.value.kind == CONSENT_REVOKED


def test_invalid_request_is_an_api_error_not_a_revoked_consent(serve):
    serve(_token_route(httpx.Response(400, json=_doc("oauth_token.invalid_request.json"))))

    with pytest.raises(AccountError, match="Redirect_uri is not matched") as caught:
        tiktok_display.exchange_code(APP, OPEN_ID, "CODE", "https://elsewhere.example/", NOW)
    assert not isinstance(caught.value, ConsentRevoked)
    assert caught.value.kind == "api_error"


# --- /v2/user/info/ and /v2/video/list/ -----------------------------------------------------

def _display_route(request: httpx.Request) -> str:
    assert request.headers["Authorization"] == f"Bearer {ACCESS}"
    path, params = request.url.path, request.url.params
    if request.method == "GET" and path == "/v2/user/info/":
        assert params["fields"] == tiktok_display.USER_FIELDS
        return "user_info.json"
    if request.method == "POST" and path == "/v2/video/list/":
        assert params["fields"] == tiktok_display.VIDEO_FIELDS
        body = json.loads(request.content)
        if body == {"max_count": 20}:
            return "video_list.page1.json"
        if body == {"max_count": 20, "cursor": PAGE1_CURSOR}:
            return "video_list.page2.json"
    raise _unexpected(request)


def _extract() -> Extraction:
    out = Extraction("tiktok", DAY, NOW)
    grant = Grant("tiktok", OPEN_ID, ACCESS, NOW + timedelta(hours=2), REFRESH)
    with tiktok_display.make_client(APP, grant) as client:
        tiktok_display.extract(client, ACCOUNT, out)
        out.stats.calls += client.stats.calls
    return out


def test_the_documented_profile_and_videos_land(serve):
    server = serve(_display_route)

    out = _extract()

    assert out.account_errors == [] and out.quarantine == []
    [account] = out.rows["accounts"]
    assert account["account_id"] == OPEN_ID
    assert (account["username"], account["display_name"], account["follower_count"],
            account["following_count"], account["likes_count"], account["video_count"],
            account["is_verified"]) == ("tiktoker", "Tik Toker", 1204, 87, 40213, 3, False)

    posts = {row["id"]: row for row in out.rows["posts"]}
    # 19- and 20-digit ids stay exact strings, in the documented order (newest first).
    assert list(posts) == ["7080213458555737986", "7080217258545735586", "12345123451234512345"]
    assert [p["create_time"] for p in posts.values()] == [
        datetime(2022, 3, 11, 11, 0, 0, tzinfo=UTC), datetime(2022, 3, 10, 3, 45, 59, tzinfo=UTC),
        datetime(2022, 3, 1, 12, 0, 0, tzinfo=UTC)]
    assert all(p["create_time"].tzinfo == UTC for p in posts.values())
    assert posts["7080213458555737986"]["video_description"] == "Test video 1"
    # The reference page's video has a title and no description: the title stands in.
    assert posts["12345123451234512345"]["video_description"] == "Video Title"
    assert {p["region_code"] for p in posts.values()} == {None}  # not in the Display API
    metrics = {row["id"]: row for row in out.rows["post_metrics"]}
    assert [(m["view_count"], m["like_count"], m["comment_count"], m["share_count"])
            for m in metrics.values()] == [(5120, 318, 12, 4), (1433, 97, 0, 1), (880, 56, 3, 0)]

    # Two pages: the second asked with page 1's documented cursor, and paging stops at
    # has_more false without sending page 2's cursor.
    assert [json.loads(r.content) for r in server.calls_to("/v2/video/list/")] == [
        {"max_count": 20}, {"max_count": 20, "cursor": PAGE1_CURSOR}]
    assert len(server.calls_to("/v2/user/info/")) == 1
    assert out.stats.calls == len(server.requests) == 3
    assert out.sample_gaps == [{"account_id": OPEN_ID, "entity": "follower_samples",
                                "message": "the Display API has no follower list"}]


@pytest.mark.parametrize(("path", "fixture"), [
    ("/v2/user/info/", "error.access_token_invalid.json"),
    ("/v2/video/list/", "error.scope_not_authorized.json"),
])
def test_a_refused_token_or_scope_is_the_creators_consent_gone(serve, path, fixture):
    """Both codes are HTTP 401 in the error-code table; neither is retried."""
    def route(request: httpx.Request) -> str | httpx.Response:
        if request.url.path == path:
            return httpx.Response(401, json=_doc(fixture))
        return _display_route(request)

    server = serve(route)

    with pytest.raises(ConsentRevoked, match=_doc(fixture)["error"]["code"]) as caught:
        _extract()
    assert caught.value.kind == CONSENT_REVOKED
    assert len(server.calls_to(path)) == 1


def test_every_fixture_has_its_source_in_the_readme():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    names = sorted(p.name for p in (FIXTURES / DOCS).glob("*.json"))
    assert names
    for name in names:
        assert f"| {DOCS}/{name} |" in readme, f"{DOCS}/{name} missing from README"
