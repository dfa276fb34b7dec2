"""The one HTTP core every platform client uses: connection settings, retries, rate limits,
call and quota counting, and errors that name the account and the fix.

Retriable: 429 (honouring Retry-After and X's x-rate-limit-reset), 5xx, timeouts and
unparseable bodies; each retry waits exponentially with full jitter. A wait longer than
MAX_WAIT_SECONDS (or the connection's extra.max_wait_seconds) is not slept: the platform stops
with the time it may resume, and the gap is recorded. A 429 goes to the platform's classifier
first, which may declare it final (TikTok's daily quota): a spent quota is never retried. Other
4xx are fatal for the request and are classified by the platform module into account-level
errors (private, deleted, renamed) or platform-level errors (bad token, too little access).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

import httpx

from kolpipe.core import connections, secrets
from kolpipe.core.connections import Connection

log = logging.getLogger(__name__)
# httpx logs every URL at INFO, and some platforms take the token as a query parameter.
logging.getLogger("httpx").setLevel(logging.WARNING)

RETRIABLE_STATUS = {429, 500, 502, 503, 504}
# X's windows are 15 minutes; a platform asking for a longer wait is out for the run.
MAX_WAIT_SECONDS = 900.0
# Meta throttles an app or a business at 100 % usage; from this share on, calls are spaced.
META_SLOW_DOWN_PERCENT = 90.0
META_SLOW_DOWN_SECONDS = 5.0


# Why a platform stopped, as the gaps record it for each account it did not reach.
PLATFORM_GAP_KINDS = ("token_rejected", "token_expired", "access_denied", "quota",
                      "rate_limit", "outage", "api_error", "connection")


class PlatformError(Exception):
    """The whole platform cannot be extracted (bad token, too little access, outage); `kind`
    is one of PLATFORM_GAP_KINDS."""

    def __init__(self, message: str, kind: str = "api_error"):
        if kind not in PLATFORM_GAP_KINDS:
            raise ValueError(f"unknown platform stop kind {kind!r}; one of {PLATFORM_GAP_KINDS}")
        super().__init__(message)
        self.kind = kind


class AccountError(Exception):
    """One account cannot be extracted; the others carry on. `kind` is a reason code."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class MissingInReply(AccountError, KeyError):
    """A key the client reads is not in the reply (a proxy's `{}`, a half-deployed backend).
    As a KeyError, a record's parser quarantines the record; anywhere else it fails the
    account (or the batch's accounts) it was read for, not the platform."""

    def __str__(self) -> str:
        return str(self.args[0])


class Reply(dict):
    """A decoded JSON object whose missing keys raise MissingInReply, not a bare KeyError."""

    where = ""

    def __missing__(self, key: str) -> Any:
        raise MissingInReply("malformed_reply", f"{self.where}: the reply has no {key!r} "
                             f"(it has {sorted(self)[:8] or 'no keys'})")


def connection(platform: str) -> Connection:
    """The platform's connection `kol_<platform>`; a missing or unreadable one stops the
    platform with the fix in the message."""
    try:
        return connections.read(f"kol_{platform}")
    except (connections.ConnectionMissing, connections.ConnectionInvalid) as exc:
        raise PlatformError(f"{platform}: {exc}", "connection") from exc


@dataclass
class CallStats:
    calls: int = 0
    retries: int = 0
    quota_units: int = 0
    throttled: int = 0


class ApiClient:
    """httpx with retries, rate-limit handling and counting. `sleep` and `transport` are
    injectable so tests of rate limiting never wait and tests can answer with recorded
    responses (httpx.MockTransport)."""

    def __init__(self, conn: Connection, *, auth: str = "bearer", token_param: str = "access_token",
                 max_retries: int = 5, timeout: float = 20.0, as_of: str | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None):
        self.conn = conn
        # a connection made in code (not read from Airflow) is masked from here on too
        secrets.register(conn.token)
        self.stats = CallStats()
        self.max_retries = int(conn.extra.get("max_retries", max_retries))
        # the longest wait a run sleeps while it holds its platform's pool slot
        self.max_wait = float(conn.extra.get("max_wait_seconds", MAX_WAIT_SECONDS))
        self._sleep = sleep
        self._random = random.Random(0)
        self._auth = auth
        self._token_param = token_param
        headers = {"User-Agent": "kolpipe/0.1"}
        if auth == "bearer":
            headers["Authorization"] = f"Bearer {conn.token}"
        if conn.extra.get("sandbox") and as_of:
            # The sandbox serves the world as it was on the logical date; real APIs ignore this.
            headers["X-Sandbox-As-Of"] = as_of
        self._http = httpx.Client(base_url=conn.base_url.rstrip("/") + "/", headers=headers,
                                  timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, params: dict | None = None,
                json_body: dict | None = None, form: dict | None = None, quota_units: int = 1,
                on_error: Callable[[httpx.Response], None] | None = None) -> Any:
        """One API call with retries. Returns the decoded JSON body. `form` is sent
        url-encoded (OAuth token endpoints). `on_error` turns a non-retriable error response
        into a specific AccountError or PlatformError."""
        params = dict(params or {})
        if self._auth == "param":
            params[self._token_param] = self.conn.token
        where = f"{self.conn.platform} {method} /{path.lstrip('/')}"
        for attempt in range(self.max_retries + 1):
            self.stats.calls += 1
            self.stats.quota_units += quota_units
            try:
                response = self._http.request(method, path.lstrip("/"), params=params,
                                              json=json_body, data=form)
            except httpx.TransportError as exc:
                url = self._http.base_url
                port = f":{url.port}" if url.port else ""
                self._retry_or_raise(attempt, where, f"{type(exc).__name__} reaching "
                                     f"{url.scheme}://{url.host}{port}", None)
                continue
            if response.status_code in RETRIABLE_STATUS:
                if response.status_code == 429:
                    self.stats.throttled += 1
                    if on_error is not None:
                        on_error(response)  # may raise: a spent daily quota is final
                self._retry_or_raise(attempt, where, f"HTTP {response.status_code}",
                                     _wait_asked(response))
                continue
            if response.status_code >= 400:
                if on_error is not None:
                    on_error(response)
                raise PlatformError(f"{where}: HTTP {response.status_code}: "
                                    f"{secrets.redact(response.text[:300])}",
                                    "token_rejected" if response.status_code in (401, 403)
                                    else "api_error")
            self._respect_remaining_quota(response)
            try:
                body = json.loads(response.content, object_hook=_reply_in(where))
            except ValueError:
                self._retry_or_raise(attempt, where, "malformed JSON body", None, unreadable=True)
                continue
            if isinstance(body, dict):
                return body
            # every endpoint the clients call answers with an object; anything else is a
            # broken reply, retried like a truncated one
            self._retry_or_raise(attempt, where, f"a JSON {type(body).__name__}, not an object",
                                 None, unreadable=True)
        raise AssertionError("unreachable")

    def _retry_or_raise(self, attempt: int, where: str, what: str, wait: float | None,
                        unreadable: bool = False) -> None:
        """Wait and return for another attempt, or raise: a reply still unreadable fails the
        call's accounts (AccountError), a server still failing stops the platform."""
        if wait is not None and wait > self.max_wait:
            resume = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(time.time() + wait))
            raise PlatformError(f"{where}: {what}, rate limited until {resume} ({wait:.0f} s, "
                                f"over the {self.max_wait:.0f} s a run waits); the gap is "
                                "recorded, rerun after that time", "rate_limit")
        if attempt >= self.max_retries and unreadable:
            raise AccountError("malformed_reply", f"{where}: {what}, still unreadable after "
                               f"{attempt + 1} attempts")
        if attempt >= self.max_retries:
            raise PlatformError(f"{where}: {what}, still failing after {attempt + 1} attempts",
                                "rate_limit" if what == "HTTP 429" else "outage")
        self.stats.retries += 1
        if wait is not None:
            delay = wait
        else:
            delay = self._random.uniform(0, min(30.0, 0.5 * 2**attempt))
        log.info("%s: %s, retry %d in %.1fs", where, what, attempt + 1, delay)
        self._sleep(delay)

    def _respect_remaining_quota(self, response: httpx.Response) -> None:
        """Slow down before a window runs out instead of walking into a 429: X sends
        x-rate-limit-remaining/-reset; Meta (Instagram) sends its usage in percent."""
        remaining = response.headers.get("x-rate-limit-remaining")
        reset = response.headers.get("x-rate-limit-reset")
        if remaining == "0" and reset and reset.isdigit():
            delay = max(0.0, int(reset) - time.time())
            if delay > 0:
                log.info("%s: rate-limit window empty, waiting %.1fs", self.conn.platform, delay)
                self._sleep(min(delay, self.max_wait))
        usage, regain_minutes = meta_usage(response.headers)
        if usage >= 100:
            wait = max(60.0, regain_minutes * 60.0)
            if wait > self.max_wait:
                raise PlatformError(
                    f"{self.conn.platform}: Meta usage at {usage:.0f} % of the app's or the "
                    f"account's limit; access returns in {regain_minutes:.0f} min, over the "
                    f"{self.max_wait:.0f} s a run waits; the gap is recorded, rerun later",
                    "rate_limit")
            log.info("%s: Meta usage at %.0f %%, waiting %.0fs", self.conn.platform, usage, wait)
            self._sleep(wait)
        elif usage >= META_SLOW_DOWN_PERCENT:
            self.stats.throttled += 1
            self._sleep(META_SLOW_DOWN_SECONDS)


def meta_usage(headers: Mapping[str, str]) -> tuple[float, float]:
    """The highest usage percentage in Meta's X-App-Usage and X-Business-Use-Case-Usage
    headers, and the longest estimated_time_to_regain_access (minutes); (0, 0) when absent or
    unreadable (a header we cannot read must not stop an extraction)."""
    usages, regain = [], [0.0]
    for name in ("x-app-usage", "x-business-use-case-usage"):
        try:
            value = json.loads(headers.get(name) or "{}")
        except ValueError:
            continue
        # X-App-Usage is one object; X-Business-Use-Case-Usage maps a business id to a list.
        entries = [value] if name == "x-app-usage" else [
            entry for listed in (value.values() if isinstance(value, dict) else [])
            for entry in (listed if isinstance(listed, list) else [])]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            usages += [float(entry[key]) for key in ("call_count", "total_cputime", "total_time")
                       if isinstance(entry.get(key), (int, float))]
            if isinstance(entry.get("estimated_time_to_regain_access"), (int, float)):
                regain.append(float(entry["estimated_time_to_regain_access"]))
    return max(usages, default=0.0), max(regain)


def _wait_asked(response: httpx.Response) -> float | None:
    """Seconds the platform asks to wait: Retry-After (seconds), else X's x-rate-limit-reset
    (the epoch second the window reopens), else None."""
    retry_after = (response.headers.get("Retry-After") or "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    reset = (response.headers.get("x-rate-limit-reset") or "").strip()
    if reset.isdigit():
        return max(0.0, int(reset) - time.time()) + 1.0
    return None


def _reply_in(where: str) -> Callable[[dict], Reply]:
    def reply(obj: dict) -> Reply:
        obj = Reply(obj)
        obj.where = where
        return obj
    return reply
