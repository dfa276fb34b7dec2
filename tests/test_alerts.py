"""Alerts delivered for real: Slack and the generic webhook to an HTTP receiver on loopback,
e-mail to an SMTP server on loopback (aiosmtpd)."""

# Over 300 lines on purpose: the loopback HTTP receiver and SMTP server fixtures serve every
# test here (content, once per run, redaction, the callback); split, they would be repeated.

from __future__ import annotations

import json
import logging
import socket
import threading
from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from kolpipe import notify
from kolpipe.core import connections
from kolpipe.core.paths import paths as default_paths
from kolpipe.validate import EntityCounts, FailedExpectation, QualityResult, RawDataCheckFailed

DAY = date(2026, 3, 14)
SLACK_PATH = "T0001/B0002/slackSecret123"
WEBHOOK_TOKEN = "webhookBearer456"
WEBHOOK_PATH = "/hooks/urlSecret789"
SMTP_LOGIN, SMTP_PASSWORD = "alerts-bot", "smtpPassword000"
SECRETS = (SLACK_PATH, "slackSecret123", WEBHOOK_TOKEN, "urlSecret789", SMTP_PASSWORD)
CONN_VARS = [f"AIRFLOW_CONN_{c.upper()}" for c in notify.CHANNELS]


class Receiver(ThreadingHTTPServer):
    """Records every POST (path, headers, JSON body) and answers with `status`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.requests: list[dict] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def posted_to(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers),
                                     "json": json.loads(body)})
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data):
    # handled=False: aiosmtpd answers 235/535 itself
    return AuthResult(success=(auth_data.login, auth_data.password)
                      == (SMTP_LOGIN.encode(), SMTP_PASSWORD.encode()), handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(),
                            authenticator=_authenticate, auth_require_tls=False,
                            # one mechanism: a wrong password is one clear 535, no second try
                            auth_exclude_mechanism=["LOGIN"])
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path):
    """A fresh KOLPIPE_HOME per test: the once-per-run alert records live there."""
    monkeypatch.setenv("KOLPIPE_HOME", str(tmp_path / "home"))


@pytest.fixture
def no_channels(monkeypatch):
    for name in CONN_VARS:
        monkeypatch.delenv(name, raising=False)
    # Outside Airflow the lookup falls through to Airflow's own store; make "not there" cheap.
    monkeypatch.setattr(connections, "read", _env_only_connection)


def _env_only_connection(conn_id: str):
    import os

    from kolpipe.core.connections import Connection, ConnectionMissing

    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if raw is None:
        raise ConnectionMissing(f"no connection {conn_id}")
    data = json.loads(raw)
    return Connection(conn_id.removeprefix("kol_"), data.get("host", ""),
                      data.get("password", ""), data.get("extra") or {},
                      data.get("login") or "", data.get("port"))


@pytest.fixture
def channels(monkeypatch, no_channels, receiver, mailbox):
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_SLACK", json.dumps(
        {"conn_type": "http", "host": f"{receiver.url}/services", "password": SLACK_PATH}))
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_WEBHOOK", json.dumps(
        {"conn_type": "http", "host": f"{receiver.url}{WEBHOOK_PATH}",
         "password": WEBHOOK_TOKEN}))
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_SMTP", json.dumps(
        {"conn_type": "smtp", "host": "127.0.0.1", "password": SMTP_PASSWORD,
         "port": mailbox.port, "login": SMTP_LOGIN,
         "extra": {"from": "kolpipe@example.org",
                   "to": "data-team@example.org, oncall@example.org", "starttls": False}}))


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def failed_check() -> QualityResult:
    paths = default_paths()
    return QualityResult(
        platform="tiktok", logical_date=DAY, passed=False,
        entities={"accounts": EntityCounts(40, 40, 0, {}),
                  "posts": EntityCounts(120, 117, 3, {
                      "expect_column_values_to_be_between:like_count": 2,
                      "expect_column_values_to_be_unique:post_id": 1})},
        failed_expectations=[FailedExpectation(
            "tiktok", "post_metrics", "expect_column_to_exist:view_count", "table",
            "column view_count is missing from the landed partition", {})],
        results_path=paths.runs / "quality" / f"dt={DAY}" / "tiktok.json")


def gate_verdicts() -> list[dict]:
    return [
        {"account_id": "ig_1001", "verdict": "fail",
         "reason_codes": ["follower_spike", "fake_follower_share"]},
        {"account_id": "ig_1002", "verdict": "fail", "reason_codes": "follower_spike; pod_ring"},
        {"account_id": "ig_1003", "verdict": "review", "reason_codes": ["follower_spike"]},
        {"account_id": "ig_1004", "verdict": "pass", "reason_codes": []},
    ]


def assert_no_secret(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"secrets in output: {leaked}"


def test_a_failed_check_reaches_slack_webhook_and_email_with_its_content(
        channels, receiver, mailbox, logs):
    result = failed_check()
    deliveries = notify.send(notify.alert_for_failed_check(result, run_id="scheduled__2026-03-15"))

    assert [(d.channel, d.ok) for d in deliveries] == [
        ("kol_alert_slack", True), ("kol_alert_smtp", True), ("kol_alert_webhook", True)]
    quarantine = str(default_paths().landing)

    [slack] = receiver.posted_to(f"/services/{SLACK_PATH}")
    slack_text = slack["json"]["text"]
    blocks = json.dumps(slack["json"]["blocks"], ensure_ascii=False)
    for text in (slack_text, blocks):
        assert "2026-03-14" in text and "tiktok" in text
        assert "expect_column_to_exist:view_count" in text
        assert "3 rows quarantined" in text and "like_count 2" in text
        assert str(result.results_path) in text and quarantine in text
    assert slack["json"]["blocks"][0]["text"]["text"] == (
        "[kolpipe] Raw data checks failed: tiktok, 2026-03-14")

    [hook] = receiver.posted_to(WEBHOOK_PATH)
    assert hook["headers"]["Authorization"] == f"Bearer {WEBHOOK_TOKEN}"
    body = hook["json"]
    assert (body["kind"], body["logical_date"], body["platform"], body["run_id"]) == (
        "data_check_failed", "2026-03-14", "tiktok", "scheduled__2026-03-15")
    assert body["where_to_look"][0] == str(result.results_path)
    assert any("post_metrics: expect_column_to_exist:view_count" in f for f in body["failed"])

    [mail] = mailbox.messages
    assert mail["Subject"] == "[kolpipe] Raw data checks failed: tiktok, 2026-03-14"
    assert mailbox.envelopes[0].rcpt_tos == ["data-team@example.org", "oncall@example.org"]
    text = mail.get_content()
    assert "Date: 2026-03-14" in text and "Platform: tiktok" in text
    assert "posts: 3 rows quarantined" in text and str(result.results_path) in text

    assert_no_secret(logs.text)
    assert "delivered via kol_alert_slack" in logs.text


def test_gated_accounts_alert_lists_top_reasons_counts_and_accounts(channels, receiver,
                                                                   mailbox):
    alert = notify.alert_for_gated_accounts(
        DAY, "instagram", gate_verdicts(), run_id="r1",
        where_to_look=["marts.account_verdicts where verdict_date = '2026-03-14'"])
    deliveries = notify.send(alert)
    assert all(d.ok for d in deliveries) and len(deliveries) == 3

    body = receiver.posted_to(WEBHOOK_PATH)[0]["json"]
    assert body["gated_by_verdict"] == {"fail": 2, "review": 1}
    assert body["top_reasons"] == [{"reason": "follower_spike", "accounts": 3},
                                   {"reason": "fake_follower_share", "accounts": 1},
                                   {"reason": "pod_ring", "accounts": 1}]
    assert body["gated_accounts"] == [
        "ig_1001 (fail: follower_spike, fake_follower_share)",
        "ig_1002 (fail: follower_spike, pod_ring)", "ig_1003 (review: follower_spike)"]
    assert "ig_1004" not in json.dumps(body)
    mail = mailbox.messages[0].get_content()
    assert "3 account(s) gated on instagram: 2 fail, 1 review" in mail
    assert "  - follower_spike: 3" in mail
    assert "marts.account_verdicts" in mail
    slack = receiver.posted_to(f"/services/{SLACK_PATH}")[0]["json"]
    assert "`follower_spike`: 3" in json.dumps(slack["blocks"])


def test_no_gated_account_means_no_alert():
    assert notify.alert_for_gated_accounts(DAY, "x", [gate_verdicts()[-1]]) is None


def test_one_alert_per_kind_date_and_platform_per_run(channels, receiver, mailbox, logs):
    alert = notify.alert_for_failed_check(failed_check(), run_id="manual__1")
    assert len(notify.send(alert)) == 3
    assert notify.send(notify.alert_for_failed_check(failed_check(), run_id="manual__1")) == []
    assert "already sent in this run" in logs.text
    assert len(receiver.requests) == 2 and len(mailbox.messages) == 1
    # another run of the same date alerts again
    assert len(notify.send(notify.alert_for_failed_check(failed_check(), run_id="manual__2"))) == 3
    record = (default_paths().runs / "alerts" / "dt=2026-03-14"
              / "data_check_failed__tiktok__manual__1.json")
    assert [d["ok"] for d in json.loads(record.read_text())["deliveries"]] == [True] * 3


def test_down_channels_are_reported_not_raised_and_never_show_secrets(
        monkeypatch, no_channels, receiver, logs):
    closed = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_SLACK", json.dumps(
        {"conn_type": "http", "host": f"{closed}/services", "password": SLACK_PATH}))
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_WEBHOOK", json.dumps(
        {"conn_type": "http", "host": f"{receiver.url}{WEBHOOK_PATH}",
         "password": WEBHOOK_TOKEN}))
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_SMTP", json.dumps(
        {"conn_type": "smtp", "host": "127.0.0.1", "password": SMTP_PASSWORD,
         "port": _free_port(), "login": SMTP_LOGIN,
         "extra": {"from": "a@example.org",
                   "to": "b@example.org", "starttls": False, "timeout": 5}}))
    receiver.status = 503

    deliveries = notify.send(notify.alert_for_failed_check(failed_check(), run_id="r"))

    assert [(d.channel, d.ok) for d in deliveries] == [
        ("kol_alert_slack", False), ("kol_alert_smtp", False), ("kol_alert_webhook", False)]
    slack, smtp, webhook = (d.detail for d in deliveries)
    assert slack == "cannot connect: ConnectError"
    assert smtp == "cannot connect: Connection refused"
    assert webhook == "HTTP 503 from the receiver"
    assert "alert via kol_alert_webhook failed: HTTP 503 from the receiver" in logs.text
    assert_no_secret(logs.text + " ".join(d.detail for d in deliveries))


def test_a_rejected_smtp_password_is_reported_without_the_password(
        monkeypatch, no_channels, mailbox, logs):
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_SMTP", json.dumps(
        {"conn_type": "smtp", "host": "127.0.0.1", "password": SMTP_PASSWORD + "x",
         "port": mailbox.port, "login": SMTP_LOGIN,
         "extra": {"from": "a@example.org",
                   "to": ["b@example.org"], "starttls": False}}))
    [delivery] = notify.send(notify.alert_for_failed_check(failed_check(), run_id="r"))
    assert (delivery.channel, delivery.ok) == ("kol_alert_smtp", False)
    assert delivery.detail == "the SMTP server answered 535"
    assert mailbox.messages == []
    assert_no_secret(logs.text)


@pytest.fixture
def airflow_has_no_channel(monkeypatch):
    """No variable, and Airflow's own store has no such connection either. Looked up once in
    setup because importing Airflow reconfigures logging, which would hide the test's logs."""
    from kolpipe.core.connections import ConnectionMissing, read

    for name in CONN_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConnectionMissing, match="no connection 'kol_alert_slack'"):
        read("kol_alert_slack")


def test_no_channel_configured_is_a_log_line(airflow_has_no_channel, logs):
    assert notify.send(notify.alert_for_failed_check(failed_check(), run_id="r")) == []
    [line] = [r for r in logs.records if "no alert channel configured" in r.getMessage()]
    assert line.levelno == logging.WARNING
    assert "[kolpipe] Raw data checks failed: tiktok, 2026-03-14" in line.getMessage()


def test_an_unreadable_connection_is_reported(monkeypatch, no_channels):
    monkeypatch.setenv("AIRFLOW_CONN_KOL_ALERT_WEBHOOK", "{not json")
    [delivery] = notify.send(notify.alert_for_failed_check(failed_check(), run_id="r"))
    assert delivery == notify.Delivery(
        "kol_alert_webhook", False,
        "the connection cannot be read (JSONDecodeError); fix kol_alert_webhook")


def _task_context(task_id: str, exception: BaseException) -> dict:
    ti = SimpleNamespace(task_id=task_id, dag_id="kol_daily", run_id="scheduled__2026-03-15",
                         log_url="http://airflow.example/dags/kol_daily/runs/x/tasks/"
                                 + task_id)
    dag_run = SimpleNamespace(run_id=ti.run_id,
                              logical_date=datetime(2026, 3, 14, tzinfo=timezone.utc))
    return {"ti": ti, "dag_run": dag_run, "logical_date": dag_run.logical_date,
            "exception": exception}


def test_task_failure_callback_alerts_with_task_platform_and_log_url(channels, receiver):
    context = _task_context("extract_weibo", RuntimeError("weibo GET /users: HTTP 401\nmore"))
    notify.on_failure_callback(context)
    body = receiver.posted_to(WEBHOOK_PATH)[0]["json"]
    assert (body["kind"], body["logical_date"], body["platform"]) == (
        "task_failed", "2026-03-14", "weibo")
    assert body["failed"] == [
        "task kol_daily.extract_weibo failed: RuntimeError: weibo GET /users: HTTP 401"]
    assert body["where_to_look"] == [context["ti"].log_url]


def test_a_failed_raw_check_task_alerts_as_a_data_check(channels, receiver):
    context = _task_context("check_raw_tiktok", RawDataCheckFailed(failed_check()))
    notify.on_failure_callback(context)
    body = receiver.posted_to(WEBHOOK_PATH)[0]["json"]
    assert (body["kind"], body["platform"]) == ("data_check_failed", "tiktok")
    assert body["where_to_look"][-1] == context["ti"].log_url


def test_the_join_stopped_by_a_failed_check_does_not_alert_twice(channels, receiver):
    from kolpipe.validate.freshness import RawDataNotReady

    notify.on_failure_callback(_task_context("raw_ready", RawDataNotReady("checks failed")))
    assert receiver.posted_to(WEBHOOK_PATH) == []


def test_the_callback_never_raises(no_channels, logs):
    notify.on_failure_callback({"ti": None, "exception": ValueError("boom")})
    assert "could not build or send the task-failure alert" in logs.text


def test_the_alert_record_path_stays_under_runs(channels):
    notify.send(notify.alert_for_failed_check(failed_check(), run_id="../../etc/passwd"))
    written = list((default_paths().runs / "alerts").rglob("*.json"))
    assert written and all(Path(p).resolve().is_relative_to(default_paths().runs) for p in written)


def test_a_long_gated_list_names_twenty_accounts_and_counts_the_rest():
    verdicts = [{"account_id": f"tt_{n:03d}", "verdict": "fail", "reason_codes": ["pod_ring"]}
                for n in range(25)]
    alert = notify.alert_for_gated_accounts(DAY, "tiktok", verdicts)
    text = notify.render_text(alert)
    assert "tt_019 (fail: pod_ring)" in text and "tt_020" not in text
    assert "... and 5 more" in text and "  - pod_ring: 25" in text
    assert "... and 5 more" in json.dumps(notify.render_slack(alert)["blocks"])


def test_override_lines_left_out_alert_without_blocking_the_gate(channels, receiver,
                                                                  monkeypatch, tmp_path):
    """The DAG's gate task: the gate ran without the bad lines, and the alert names them."""
    from datetime import datetime

    from kolpipe import build, gate, pipeline

    problem = ("overrides.csv line 3: verdict 'approved' is not one of pass, review, fail; "
               "write one of them")
    result = gate.GateResult(DAY, {"pass": 4}, [], {}, [], tmp_path / "v", tmp_path / "r.json",
                             override_problems=[problem])
    monkeypatch.setattr(gate, "run_gate", lambda day: result)
    monkeypatch.setattr(build, "release_warehouse", lambda: None)
    outcome = pipeline.gate_accounts(datetime(2026, 3, 14, 1), run_id="r1")
    assert outcome["override_lines_left_out"] == 1
    body = receiver.posted_to(WEBHOOK_PATH)[0]["json"]
    assert body["kind"] == "overrides_ignored" and body["platform"] == "all"
    assert body["failed"] == ["1 override line(s) left out; the gate ran without them", problem]
    assert any(path.endswith("overrides.csv") for path in body["where_to_look"])
    assert notify.alert_for_ignored_overrides(DAY, []) is None


def test_creator_consents_ending_or_lost_alert_from_the_extract_task(channels, receiver,
                                                                     monkeypatch):
    """The DAG's extract task: the day's consent events reach the channels, each line with
    what to do; a day without any sends nothing."""
    from datetime import datetime

    from kolpipe import land, pipeline

    events = [
        {"platform": "tiktok", "kol_id": "kol_00002", "account_id": "68", "handle": "bea",
         "event": "ending", "days_left": 6, "consent_expires_at": "2026-11-27T00:00:00+00:00"},
        {"platform": "tiktok", "kol_id": "kol_00001", "account_id": "67", "handle": "ann",
         "event": "revoked", "days_left": None, "consent_expires_at": None}]
    summary = {"rows": {}, "quarantined": 0, "api_calls": 3, "quota_units": 3,
               "consent_events": events}
    monkeypatch.setattr(land, "land_platform", lambda platform, day: summary)
    pipeline.extract("tiktok", datetime(2026, 11, 21, 1), run_id="r1")
    body = receiver.posted_to(WEBHOOK_PATH)[0]["json"]
    assert body["kind"] == "creator_access" and body["platform"] == "tiktok"
    assert body["failed"] == [
        "creator access on tiktok: 1 revoked, 1 ending",
        "kol_00001 (@ann): consent revoked today; read as public data from now on; if that "
        "was a mistake, send them the link from `kolpipe creators link tiktok kol_00001 "
        "--redirect-uri <your app's>`",
        "kol_00002 (@bea): consent ends in 6 day(s) (2026-11-27); send them the link from "
        "`kolpipe creators link tiktok kol_00002 --redirect-uri <your app's>`"]
    assert body["where_to_look"][0].endswith("tiktok.json")
    summary["consent_events"] = []
    pipeline.extract("tiktok", datetime(2026, 11, 22, 1), run_id="r2")
    assert len(receiver.posted_to(WEBHOOK_PATH)) == 1
