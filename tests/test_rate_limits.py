"""The HTTP core against the platforms' throttling signals, answered by httpx.MockTransport:
what it waits, what it never retries, and what it refuses to sleep through."""

from __future__ import annotations

import time

import httpx
import pytest

from kolpipe.core.connections import Connection
from kolpipe.extract import tiktok, weibo
from kolpipe.extract.http import MAX_WAIT_SECONDS, AccountError, ApiClient, PlatformError
from kolpipe.registry import RegistryAccount

TOKEN = "s3cret-token-value"


def client(platform: str, answers: list[httpx.Response], slept: list[float]) -> ApiClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    return ApiClient(Connection(platform, "https://api.example.test", TOKEN, {}),
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
                                            r"over the 900 s a run waits"):
        client("instagram", answers, slept).request("GET", "me")
    assert slept == [] and MAX_WAIT_SECONDS == 900


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
