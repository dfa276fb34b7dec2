"""What real platform responses do that the sandbox's did not: the throttling signals (answered
by httpx.MockTransport: what the HTTP core waits, never retries, refuses to sleep through),
error codes as strings, and null required counts."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import httpx
import pytest

from kolpipe import land
from kolpipe.core import connections
from kolpipe.core.connections import Connection
from kolpipe.core.dates import DateOutOfRange, check_logical_date
from kolpipe.core.paths import Paths
from kolpipe.extract import http, instagram, tiktok, weibo
from kolpipe.extract.base import Extraction
from kolpipe.extract.http import (
    MAX_WAIT_SECONDS,
    META_SLOW_DOWN_SECONDS,
    AccountError,
    ApiClient,
    PlatformError,
    meta_usage,
)
from kolpipe.registry import RegistryAccount

TOKEN = "s3cret-token-value"


def client(platform: str, answers: list[httpx.Response], slept: list[float],
           **extra) -> ApiClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    return ApiClient(Connection(platform, "https://api.example.test", TOKEN, extra),
                     sleep=slept.append, transport=httpx.MockTransport(answer))


def test_x_429_waits_until_the_window_resets():
    reset = int(time.time()) + 120
    slept: list[float] = []
    answers = [httpx.Response(429, headers={"x-rate-limit-reset": str(reset)}),
               httpx.Response(200, json={"data": []})]
    assert client("x", answers, slept).request("GET", "2/users") == {"data": []}
    # the window reopens in about 120 s: not a jittered second or two
    assert len(slept) == 1 and 110 <= slept[0] <= 122


def test_a_wait_longer_than_a_run_waits_stops_the_platform_with_the_resume_time():
    slept: list[float] = []
    answers = [httpx.Response(429, headers={"Retry-After": "86400"})]
    with pytest.raises(PlatformError, match=r"rate limited until \d{4}-\d\d-\d\d .*86400 s, "
                                            r"over the 900 s a run waits") as raised:
        client("instagram", answers, slept).request("GET", "me")
    assert slept == [] and MAX_WAIT_SECONDS == 900
    assert TOKEN not in str(raised.value)
    # the cap is the connection's to set
    answers = [httpx.Response(429, headers={"Retry-After": "120"})]
    with pytest.raises(PlatformError, match="over the 60 s a run waits") as raised:
        client("instagram", answers, slept, max_wait_seconds=60).request("GET", "me")
    assert slept == [] and raised.value.kind == "rate_limit"


def test_tiktok_daily_quota_on_a_429_is_final_and_never_retried():
    slept: list[float] = []
    answers = [httpx.Response(429, json={"error": {"code": "daily_quota_limit_exceeded",
                                                   "message": "quota"}})]
    api = client("tiktok", answers, slept)
    with pytest.raises(PlatformError, match="daily Research API quota"):
        api.request("POST", "v2/research/video/query/",
                    on_error=lambda r: tiktok._classify(r, None))
    assert api.stats.calls == 1 and api.stats.retries == 0 and slept == []


def test_a_plain_429_is_still_retried_after_the_classifier_lets_it_pass():
    slept: list[float] = []
    answers = [httpx.Response(429, json={"error": {"code": "rate_limit_exceeded"}}),
               httpx.Response(200, json={"data": {}})]
    api = client("tiktok", answers, slept)
    assert api.request("POST", "v2/research/user/info/",
                       on_error=lambda r: tiktok._classify(r, None)) == {"data": {}}
    assert api.stats.retries == 1


ACCOUNT = RegistryAccount(kol_id="k1", platform="weibo", account_id="1234567890",
                          handle="zaku")


@pytest.mark.parametrize("code", [20003, "20003", " 20003 "])
def test_weibo_error_codes_are_classified_as_numbers_or_strings(code):
    """Weibo's docs print error_code as a string; the API sends a number."""
    response = httpx.Response(400, json={"error": "User does not exists!", "error_code": code,
                                         "request": "/2/users/show.json"})
    with pytest.raises(AccountError) as raised:
        weibo._classify(response, ACCOUNT)
    assert raised.value.kind == "not_found"


@pytest.mark.parametrize("code", ["21327", 21332])
def test_weibo_token_errors_as_strings_stop_the_platform(code):
    response = httpx.Response(400, json={"error": "expired_token", "error_code": code})
    with pytest.raises(PlatformError, match="access token rejected"):
        weibo._classify(response, ACCOUNT)


def test_weibo_error_code_reads_what_it_can():
    assert weibo.error_code({"error_code": "10022"}) == 10022
    assert weibo.error_code({"error_code": None}) is None
    assert weibo.error_code({"error_code": "n/a"}) is None
    assert weibo.error_code(["not", "an", "object"]) is None


def _usage(app: dict | None = None, business: dict | None = None) -> dict:
    headers = {}
    if app is not None:
        headers["X-App-Usage"] = json.dumps(app)
    if business is not None:
        headers["X-Business-Use-Case-Usage"] = json.dumps(business)
    return headers


def test_meta_usage_near_the_limit_spaces_the_calls():
    slept: list[float] = []
    answers = [httpx.Response(200, json={}, headers=_usage(
        app={"call_count": 93, "total_cputime": 10, "total_time": 12}))]
    api = client("instagram", answers, slept)
    api.request("GET", "me")
    assert slept == [META_SLOW_DOWN_SECONDS] and api.stats.throttled == 1


def test_meta_business_usage_at_100_waits_the_time_to_regain_access():
    slept: list[float] = []
    business = {"1784140": [{"type": "instagram", "call_count": 100, "total_cputime": 40,
                             "total_time": 30, "estimated_time_to_regain_access": 4}]}
    answers = [httpx.Response(200, json={}, headers=_usage(business=business))]
    client("instagram", answers, slept).request("GET", "me")
    assert slept == [240.0]


def test_meta_usage_that_would_outlast_the_run_stops_the_platform():
    business = {"1784140": [{"type": "instagram", "call_count": 100,
                             "estimated_time_to_regain_access": 60}]}
    answers = [httpx.Response(200, json={}, headers=_usage(business=business))]
    with pytest.raises(PlatformError, match="Meta usage at 100 %.*returns in 60 min"):
        client("instagram", answers, []).request("GET", "me")


def test_unreadable_meta_usage_headers_change_nothing():
    assert meta_usage({"x-app-usage": "not json", "x-business-use-case-usage": "[1]"}) == (0, 0)


@pytest.mark.parametrize("code", [80001, 80002])
def test_instagram_business_use_case_rate_limits_stop_the_platform_with_the_wait(code):
    business = {"1784140": [{"type": "instagram", "call_count": 100,
                             "estimated_time_to_regain_access": 12}]}
    response = httpx.Response(400, headers=_usage(business=business), json={"error": {
        "message": "There have been too many calls to this Instagram account.",
        "type": "OAuthException", "code": code, "fbtrace_id": "A1"}})
    account = RegistryAccount(kol_id="k1", platform="instagram", account_id="178", handle="h")
    with pytest.raises(PlatformError, match=f"rate limit reached \\(code {code}\\); access "
                                            "returns in about 12 min"):
        instagram.classify_error(response, account)


@pytest.mark.parametrize("value, reason", [
    (None, "required count followers_count is null"),
    ("missing", "required count followers_count is missing"),
])
def test_a_null_or_missing_required_count_is_quarantined_not_hidden(value, reason):
    out = Extraction("weibo", date(2026, 11, 20), datetime(2026, 11, 20, 6, tzinfo=UTC))
    user = {"screen_name": "zaku", "created_at": "Tue May 31 17:46:55 +0800 2011",
            "followers_count": value}
    if value == "missing":
        del user["followers_count"]
    assert out.add("accounts", "123", user, weibo._account_row) is None
    assert out.rows["accounts"] == [] and len(out.quarantine) == 1
    assert reason in out.quarantine[0]["reason"]


def test_a_placeholder_count_is_still_hidden():
    row = weibo._account_row({"screen_name": "zaku", "followers_count": -1})
    assert row["followers_count"] is None


def test_an_account_whose_profile_is_quarantined_is_recorded_not_silently_skipped():
    out = Extraction("weibo", date(2026, 11, 20), datetime(2026, 11, 20, 6, tzinfo=UTC))
    assert out.add_account(ACCOUNT, {"screen_name": "zaku", "followers_count": None},
                           weibo._account_row) is None
    [error] = out.account_errors
    assert (error["account_id"], error["kind"]) == ("1234567890", "profile_quarantined")
    assert "its posts and samples were not read today" in error["message"]
    assert out.quarantine[0]["account_id"] == "1234567890"


def test_a_token_pasted_with_a_newline_is_stripped_and_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("AIRFLOW_CONN_KOL_X", json.dumps(
        {"conn_type": "http", "host": "https://api.x.com", "password": f"{TOKEN}\n"}))
    conn = connections.read("kol_x")
    assert conn.token == TOKEN and TOKEN not in repr(conn)


def test_a_token_with_whitespace_inside_is_refused_without_showing_it(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KOL_X", json.dumps(
        {"conn_type": "http", "host": "https://api.x.com", "password": "s3cret\ntoken-value"}))
    with pytest.raises(PlatformError, match="kol_x.*whitespace inside it") as raised:
        http.connection("x")
    assert "s3cret" not in str(raised.value) and "token-value" not in str(raised.value)


def test_invalid_json_in_a_connection_variable_names_the_variable(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KOL_WEIBO", '{"host": "https://api.weibo.com", "password"')
    with pytest.raises(PlatformError, match="AIRFLOW_CONN_KOL_WEIBO is not valid JSON"):
        http.connection("weibo")


@pytest.mark.parametrize("uri, base_url", [
    ("http://:tok-12345@127.0.0.1:8080/api/v1", "http://127.0.0.1:8080/api/v1"),
    ("https://:tok-12345@api.x.com/2", "https://api.x.com/2"),
    ("https://:tok-12345@graph.facebook.com", "https://graph.facebook.com"),
])
def test_the_uri_form_keeps_scheme_port_and_path(monkeypatch, uri, base_url):
    monkeypatch.setenv("AIRFLOW_CONN_KOL_X", uri)
    conn = connections.read("kol_x")
    assert (conn.base_url, conn.token) == (base_url, "tok-12345")


@pytest.mark.parametrize("day, platform, message", [
    (date(1, 1, 1), None, "logical date 0001-01-01 is out of range: the oldest platform"),
    (date(9999, 12, 31), None, "no date after 2026-12-08"),
    (date(2026, 12, 9), "x", "no date after 2026-12-08"),
    (date(2015, 6, 1), "tiktok", "tiktok launched on 2016-09-20"),
])
def test_logical_dates_outside_what_a_platform_can_have_are_refused(day, platform, message):
    with pytest.raises(DateOutOfRange, match=message):
        check_logical_date(day, platform, today=date(2026, 12, 7))
    assert check_logical_date(date(2026, 12, 8), "x", today=date(2026, 12, 7)) == date(2026, 12, 8)
    # the sandbox simulates the future, but not to 9999
    assert check_logical_date(date(2027, 3, 1), "x", simulated=True) == date(2027, 3, 1)
    with pytest.raises(DateOutOfRange, match="after 2099-12-31 .the sandbox's last day"):
        check_logical_date(date(9999, 12, 31), simulated=True)


def test_landing_refuses_an_impossible_date_before_writing(tmp_path):
    paths = Paths(tmp_path)
    with pytest.raises(DateOutOfRange):
        land.land_registry(date(1, 1, 1), paths)
    assert not paths.landing.exists()


def test_a_count_too_large_for_the_landed_type_is_quarantined_not_fatal():
    out = Extraction("weibo", date(2026, 11, 20), datetime(2026, 11, 20, 6, tzinfo=UTC))
    assert out.add("accounts", "1", {"screen_name": "a", "followers_count": 2**64},
                   weibo._account_row) is None
    assert "larger than any real count" in out.quarantine[0]["reason"]


def test_a_json_body_that_is_not_an_object_is_retried_then_fails_the_call_not_the_platform():
    slept: list[float] = []
    answers = [httpx.Response(200, json=["not", "an", "object"]),
               httpx.Response(200, json={"data": []})]
    api = client("x", answers, slept)
    assert api.request("GET", "2/users") == {"data": []} and api.stats.retries == 1
    answers = [httpx.Response(200, json="text")] * 6
    with pytest.raises(AccountError, match="a JSON str, not an object, still unreadable"
                       ) as failure:
        client("x", answers, []).request("GET", "2/users")
    assert failure.value.kind == "malformed_reply"


def test_a_closed_port_names_the_host_it_could_not_reach():
    api = ApiClient(Connection("x", "http://127.0.0.1:9", TOKEN, {"max_retries": 1}),
                    sleep=lambda _: None)
    with pytest.raises(PlatformError, match=r"ConnectError reaching http://127\.0\.0\.1:9, "
                                            r"still failing after 2 attempts") as raised:
        api.request("GET", "2/users")
    assert TOKEN not in str(raised.value)


@pytest.mark.parametrize("classify, account", [
    (instagram.classify_error, RegistryAccount(kol_id="k1", platform="instagram",
                                               account_id="178", handle="h")),
    (weibo._classify, ACCOUNT),
])
@pytest.mark.parametrize("body", [b'{"error": {"message": "Unsupported get req', b"[1, 2]"])
def test_a_truncated_error_body_fails_the_account_not_the_platform(classify, account, body):
    response = httpx.Response(400, content=body)
    with pytest.raises(AccountError) as raised:
        classify(response, account)
    assert raised.value.kind == "unreadable_error" and "HTTP 400" in str(raised.value)


def test_a_throttled_reply_without_an_error_body_is_retried_not_an_account_failure():
    instagram.classify_error(httpx.Response(429, content=b"Too Many Requests"),
                        RegistryAccount(kol_id="k1", platform="instagram", account_id="178",
                                        handle="h"))
    weibo._classify(httpx.Response(503, content=b"<html>"), ACCOUNT)
