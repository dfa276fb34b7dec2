"""YouTube Analytics with the creator's consent (extract/youtube_analytics.py): against Google's
documented responses (tests/fixtures/platform_docs/youtube_analytics, provenance in its
README), and end to end against the sandbox: connect, extract, refresh the next day, and a
consent revoked falls back to public data with the grant stored as revoked.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from test_platform_doc_examples import FIXTURES, DocServer, _unexpected

from kolpipe.core.connections import Connection
from kolpipe.extract import authorized, youtube_analytics
from kolpipe.extract.authorized import ConsentRevoked
from kolpipe.extract.base import Extraction
from kolpipe.extract.grants import Grant, ProcessGrants
from kolpipe.extract.http import ApiClient, PlatformError
from kolpipe.registry import RegistryAccount
from kolpipe_tools.sandbox import creators, server
from kolpipe_tools.sandbox.routes import youtube_analytics as sandbox_routes
from kolpipe_tools.sandbox.serve import running_sandbox
from kolpipe_tools.sandbox.world import World

DOCS = "youtube_analytics"
DAY = date(2026, 11, 20)
CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
APP = Connection("youtube_creators", "https://youtubeanalytics.googleapis.com/v2",
                 "doc-client-secret", {}, "doc-client-id.apps.googleusercontent.com")
REDIRECT = "https://kolpipe.example/oauth/youtube"
NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
DOC_ACCOUNT = RegistryAccount("kol_doc", "youtube", CHANNEL, "googledevelopers", "authorized")


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / DOCS / name).read_text())


def _token_server(reply: str, status: int = 200) -> DocServer:
    def route(request: httpx.Request) -> httpx.Response:
        if (request.method, request.url.host, request.url.path) != (
                "POST", "oauth2.googleapis.com", "/token"):
            raise _unexpected(request)
        return httpx.Response(status, json=_fixture(reply))
    return DocServer(DOCS, route)


def _patch_transport(monkeypatch, doc_server: DocServer) -> None:
    for module in (youtube_analytics, authorized):  # authorized makes the token calls
        monkeypatch.setattr(module, "ApiClient", lambda *args, **kwargs: ApiClient(
            *args, **{**kwargs, "transport": httpx.MockTransport(doc_server)}))


def test_doc_token_replies_make_and_refresh_a_grant(monkeypatch):
    query = parse_qs(urlsplit(youtube_analytics.authorize_url(APP, REDIRECT, "s1")).query)
    assert {k: v[0] for k, v in query.items()} == {
        "client_id": APP.login, "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "https://www.googleapis.com/auth/yt-analytics.readonly "
                 "https://www.googleapis.com/auth/youtube.readonly",
        "access_type": "offline", "prompt": "consent", "state": "s1"}
    doc = _token_server("token.authorization_code.json")
    _patch_transport(monkeypatch, doc)
    grant = youtube_analytics.exchange_code(APP, CHANNEL, "4/P7q7W91", REDIRECT, NOW)
    form = parse_qs(doc.requests[0].content.decode())
    assert {k: v[0] for k, v in form.items()} == {
        "code": "4/P7q7W91", "client_id": APP.login, "client_secret": APP.token,
        "redirect_uri": REDIRECT, "grant_type": "authorization_code"}
    assert (grant.access_token, grant.refresh_token) == (
        "1/fFAGRNJru1FTz70BzhT3Zg", "1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI")
    assert grant.expires_at == NOW + timedelta(seconds=3920)
    assert grant.consent_expires_at is None  # a Google refresh token lasts until revoked

    _patch_transport(monkeypatch, _token_server("token.refresh_token.json"))
    later = NOW + timedelta(days=1)
    refreshed = youtube_analytics.refresh(APP, grant, later)
    # the reply has no refresh_token: Google keeps the one the creator granted
    assert refreshed.refresh_token == grant.refresh_token
    assert refreshed.expires_at == later + timedelta(seconds=3920)
    assert refreshed.granted_at == NOW


def test_doc_invalid_grant_is_consent_revoked_and_a_bad_client_stops_the_platform(monkeypatch):
    grant = Grant("youtube", CHANNEL, "ya29.doc-access-token", NOW, "1//doc-refresh-token")
    _patch_transport(monkeypatch, _token_server("token.invalid_grant.json", 400))
    with pytest.raises(ConsentRevoked, match="Token has been expired or revoked") as revoked:
        youtube_analytics.refresh(APP, grant, NOW)
    assert revoked.value.kind == authorized.CONSENT_REVOKED
    bad_client = httpx.Response(401, json={"error": "invalid_client",
                                           "error_description": "Unauthorized"})
    _patch_transport(monkeypatch, DocServer(DOCS, lambda request: bad_client))
    with pytest.raises(PlatformError, match="kol_youtube_creators") as stopped:
        youtube_analytics.refresh(APP, grant, NOW)
    assert stopped.value.kind == "token_rejected"


def _reports_route(reorder: bool = False, day_reply: str = "reports.day.json"):
    def route(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if request.url.path != "/v2/reports" or params["ids"] != f"channel=={CHANNEL}":
            raise _unexpected(request)
        name = {"day": day_reply, "ageGroup,gender": "reports.ageGroup_gender.json",
                "country": "reports.country.json"}[params["dimensions"]]
        body = _fixture(name)
        if reorder:  # the same table with its columns in another order
            body["columnHeaders"].reverse()
            body["rows"] = [list(reversed(row)) for row in body.get("rows", [])]
        return httpx.Response(200 if "error" not in body else 403, json=body)
    return route


def _doc_extract(route) -> tuple[Extraction, DocServer]:
    doc = DocServer(DOCS, route)
    out = Extraction("youtube", DAY, datetime(2026, 11, 21, tzinfo=UTC))
    grant = Grant("youtube", CHANNEL, "ya29.doc-access-token", NOW)
    with out.guard([DOC_ACCOUNT]), youtube_analytics.make_client(
            APP, grant, transport=httpx.MockTransport(doc)) as client:
        youtube_analytics.extract(client, DOC_ACCOUNT, out)
    return out, doc


@pytest.mark.parametrize("reorder", [False, True])
def test_doc_reports_land_by_column_name(reorder):
    out, doc = _doc_extract(_reports_route(reorder))
    assert out.account_errors == out.quarantine == out.sample_gaps == []
    day, ages, countries = (r.url.params for r in doc.requests)
    assert (day["startDate"], day["endDate"]) == ("2026-11-17", "2026-11-20")
    assert (ages["startDate"], ages["endDate"], countries["startDate"]) == (
        "2026-10-24", "2026-11-20", "2026-10-24")
    assert all(r.headers["authorization"] == "Bearer ya29.doc-access-token"
               for r in doc.requests)
    insights = {(r["metric_date"].isoformat(), r["metric"]): r["value"]
                for r in out.rows["creator_insights"]}
    assert len(insights) == 14
    assert insights["2026-11-17", "views"] == 48213
    assert insights["2026-11-17", "estimatedMinutesWatched"] == 151880
    assert (insights["2026-11-18", "subscribersGained"],
            insights["2026-11-18", "subscribersLost"]) == (388, 41)
    assert insights["2026-11-18", "shares"] == 151
    assert {(r["post_id"], r["period"]) for r in out.rows["creator_insights"]} == {(None, "day")}
    audience = {(r["dimension"], r["bucket"]): (r["value"], r["unit"])
                for r in out.rows["audience_demographics"]}
    assert audience["age_gender", "age25-34|user_specified"] == (0.5, "viewer_percent")
    assert audience["age", "age25-34"] == (46.0, "viewer_percent")
    assert audience["gender", "male"] == (60.0, "viewer_percent")
    assert audience["gender", "user_specified"] == (0.5, "viewer_percent")
    assert audience["country", "US"] == (602114.0, "views")
    assert len(audience) == 7 + 3 + 3 + 3


def test_doc_day_without_rows_is_not_an_error_and_a_foreign_channel_is():
    out, _ = _doc_extract(_reports_route(day_reply="reports.day.no_rows.json"))
    assert out.rows["creator_insights"] == [] and out.account_errors == []
    out, doc = _doc_extract(_reports_route(day_reply="reports.forbidden.json"))
    assert [e["kind"] for e in out.account_errors] == ["wrong_channel"]
    assert len(doc.requests) == 1 and out.rows["audience_demographics"] == []


# --- against the sandbox ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sandbox():
    world = World(40)
    with running_sandbox(world) as url:
        yield world, url


@pytest.fixture
def creator_env(sandbox, monkeypatch, caplog):
    world, url = sandbox
    for name, value in server.connections(url).items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    return world


def _consenting(world: World, revoked: bool):
    for account in world.accounts:
        granted = creators.consent(world, account) if account.platform == "youtube" else None
        if granted and (granted.revoked_on is not None) == revoked:
            return account, granted
    raise AssertionError("no such creator in the world")


def _authorize(account, day: date) -> dict:
    """The sandbox's redirect back to us after the creator `account` logs in on `day`."""
    url = youtube_analytics.authorize_url(authorized.app_connection("youtube"), REDIRECT, "st")
    reply = httpx.get(f"{url}&sandbox_user={account.user_id}",
                      headers={"X-Sandbox-As-Of": day.isoformat()})
    assert reply.status_code == 302
    return parse_qs(urlsplit(reply.headers["location"]).query)


def _connect(account, day: date) -> ProcessGrants:
    query = _authorize(account, day)
    assert query["state"] == ["st"], query
    store = ProcessGrants({})
    store.put(youtube_analytics.exchange_code(authorized.app_connection("youtube"),
              account.user_id, query["code"][0], REDIRECT, creators.end_of(day)))
    return store


def _run(account, day: date, store) -> tuple[Extraction, list]:
    out = Extraction("youtube", day, creators.end_of(day))
    registered = RegistryAccount(account.kol_id, "youtube", account.user_id, account.handle,
                                 "authorized")
    return out, authorized.extract("youtube", [registered], out, store, day.isoformat())


def test_sandbox_connect_extract_and_refresh_the_next_day(creator_env, caplog):
    world = creator_env
    account, _ = _consenting(world, revoked=False)
    store = _connect(account, DAY)
    grant = store.get("youtube", account.user_id)
    out, public = _run(account, DAY, store)
    assert out.account_errors == [] and [a.account_id for a in public] == [account.user_id]
    by_day: dict[date, dict] = {}
    for row in out.rows["creator_insights"]:
        by_day.setdefault(row["metric_date"], {})[row["metric"]] = row["value"]
    # the sandbox, like YouTube, has no data for the newest two days yet
    assert sorted(by_day) == [DAY - timedelta(days=3), DAY - timedelta(days=2)]
    for day, metrics in by_day.items():
        change = account.followers_on(day) - account.followers_on(day - timedelta(days=1))
        assert metrics["subscribersGained"] - metrics["subscribersLost"] == change
        assert metrics["subscribersLost"] >= 0
        assert 1.5 * metrics["views"] <= metrics["estimatedMinutesWatched"] <= 6 * metrics[
            "views"] + 1
    audience: dict[str, dict] = {}
    for row in out.rows["audience_demographics"]:
        audience.setdefault(row["dimension"], {})[row["bucket"]] = row["value"]
    assert len(audience["age_gender"]) == 21 and len(audience["gender"]) == 3
    assert sum(audience["age"].values()) == pytest.approx(100, abs=0.5)
    window = [DAY - timedelta(days=n) for n in range(2, 28)]
    views = sum(sandbox_routes.daily(world, account, d)["views"] for d in window)
    assert sum(audience["country"].values()) == pytest.approx(views, abs=5)

    # a day later the hour-long access token has expired: refreshed, refresh token kept
    out2, _ = _run(account, DAY + timedelta(days=1), store)
    renewed = store.get("youtube", account.user_id)
    assert out2.account_errors == [] and renewed.access_token != grant.access_token
    assert renewed.refresh_token == grant.refresh_token
    assert renewed.expires_at == creators.end_of(DAY + timedelta(days=1)) + timedelta(
        seconds=3599)
    assert {r["metric_date"] for r in out2.rows["creator_insights"]} == {
        DAY - timedelta(days=2), DAY - timedelta(days=1)}
    landed = json.dumps([out.rows, out2.rows], default=str)
    for token in (grant.access_token, grant.refresh_token, renewed.access_token):
        assert token not in caplog.text and token not in landed


def test_sandbox_revoked_consent_falls_back_to_public(creator_env, caplog):
    world = creator_env
    account, granted = _consenting(world, revoked=True)
    before = granted.revoked_on - timedelta(days=1)
    store = _connect(account, before)
    out, _ = _run(account, before, store)
    assert out.account_errors == [] and out.rows["creator_insights"]

    # the next day the refresh is refused (invalid_grant): a gap, a revoked grant, public data
    out, public = _run(account, granted.revoked_on, store)
    assert [e["kind"] for e in out.account_errors] == ["consent_revoked"]
    assert "Token has been expired or revoked" in out.account_errors[0]["message"]
    assert store.get("youtube", account.user_id).status == "revoked"
    assert [a.account_id for a in public] == [account.user_id]
    assert out.rows["creator_insights"] == []

    # an access token still unexpired when the creator revokes: the API's 401 does the same
    fresh = ProcessGrants({})
    token = creators.issue(account, "a", creators.end_of(granted.revoked_on), granted.since)
    fresh.put(Grant("youtube", account.user_id, token,
                    creators.end_of(granted.revoked_on) + timedelta(hours=1)))
    out, public = _run(account, granted.revoked_on, fresh)
    assert [e["kind"] for e in out.account_errors] == ["consent_revoked"]
    assert fresh.get("youtube", account.user_id).status == "revoked"
    assert [a.account_id for a in public] == [account.user_id]
    assert token not in caplog.text and token not in json.dumps(out.account_errors)

    # and the creator can no longer log in
    assert _authorize(account, granted.revoked_on)["error"] == ["access_denied"]
