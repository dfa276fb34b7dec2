"""TikTok with the creators' consent (Display API) against the sandbox over loopback HTTP:
connecting, the landed rows, refresh with rotation, the consent's end and its alert, a revoked
consent falling back to public data, and a commercial user with no Research API access."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest

from kolpipe import land, registry
from kolpipe.core import files
from kolpipe.core.paths import Paths
from kolpipe.extract import authorized, onboarding, tiktok_display
from kolpipe.extract.authorized import ConsentRevoked
from kolpipe.extract.grants import ProcessGrants
from kolpipe_tools.sandbox import creators
from kolpipe_tools.sandbox.serve import running_sandbox
from kolpipe_tools.sandbox.server import connections
from kolpipe_tools.sandbox.world import World

pytestmark = pytest.mark.slow  # lands sandbox worlds

CONNECTED = date(2026, 11, 10)
REDIRECT = "https://kolpipe.example/callback"


@pytest.fixture(scope="module")
def world():
    return World(40)


@pytest.fixture()
def sandbox(world, tmp_path, monkeypatch):
    """A home whose registry marks the consenting creators, and the sandbox's connections."""
    paths = Paths(tmp_path)
    paths.registry.parent.mkdir(parents=True)
    paths.registry.write_text(registry.dump(creators.mark_authorized(world, world.kols())))
    monkeypatch.setenv("KOLPIPE_HOME", str(tmp_path))
    with running_sandbox(world) as url:
        for name, value in connections(url).items():
            monkeypatch.setenv(name, value)
        yield paths


def _authorized(paths: Paths) -> list[registry.RegistryAccount]:
    return [a for a in registry.accounts_for(registry.load(paths.registry), "tiktok")
            if a.access == "authorized"]


def _connect(paths: Paths, store: ProcessGrants, on: date) -> list[str]:
    """Every authorized creator accepts on the date; returns the accounts connected."""
    connected = []
    for account in _authorized(paths):
        code = creators.consent_code(onboarding.link("tiktok", account, REDIRECT),
                                     account.account_id, on)
        if code:
            onboarding.connect("tiktok", account, code, REDIRECT, store,
                               now=creators.end_of(on))
            connected.append(account.account_id)
    return connected


def _rows(paths: Paths, entity: str, day: date) -> list[dict]:
    return pq.read_table(files.raw_file(paths, "tiktok", entity, day)).to_pylist()


def test_the_display_api_lands_what_the_research_api_would(world, sandbox):
    store = ProcessGrants()
    connected = _connect(sandbox, store, CONNECTED)
    active = {a.user_id for a in world.accounts if a.platform == "tiktok"
              and (c := creators.consent(world, a)) and c.since <= CONNECTED
              and c.active_on(CONNECTED)}
    assert set(connected) == active and len(active) >= 5
    summary = land.land_platform("tiktok", CONNECTED, sandbox, grants=store)
    accounts = {r["account_id"]: r for r in _rows(sandbox, "accounts", CONNECTED)}
    for account_id in connected:
        assert accounts[account_id]["follower_count"] == world.account(
            "tiktok", account_id).followers_on(CONNECTED)
    assert not [e for e in summary["account_errors"] if e["account_id"] in connected]
    display = {r["id"]: (r["view_count"], r["like_count"], r["share_count"])
               for r in _rows(sandbox, "post_metrics", CONNECTED) if r["account_id"] in connected}
    expected = {}
    for account_id in connected:
        account = world.account("tiktok", account_id)
        for post in account.recent_posts(CONNECTED, 14):
            metrics = account.metrics_on(post, CONNECTED)
            expected[post.post_id] = (metrics.views, metrics.likes, metrics.shares)
    assert display == expected and len(display) > 10
    # the Research API gives the same counts for the videos it finds (it misses a renamed
    # account's, which it looks up by the registry's old handle)
    land.land_platform("tiktok", CONNECTED, sandbox, grants=ProcessGrants())
    research = {r["id"]: (r["view_count"], r["like_count"], r["share_count"])
                for r in _rows(sandbox, "post_metrics", CONNECTED) if r["account_id"] in connected}
    assert research and all(display[i] == counts for i, counts in research.items())
    gaps = {(g["account_id"], g["kind"]) for g in _rows_gaps(sandbox, CONNECTED)}
    assert {(a, "not_connected") for a in connected} <= gaps


def _rows_gaps(paths: Paths, day: date) -> list[dict]:
    return pq.read_table(files.gaps_file(paths, "tiktok", day)).to_pylist()


def test_tokens_are_refreshed_and_the_rotated_refresh_token_is_refused(sandbox):
    store = ProcessGrants()
    account_id = _connect(sandbox, store, CONNECTED)[0]
    before = store.get("tiktok", account_id)
    land.land_platform("tiktok", CONNECTED + timedelta(days=1), sandbox, grants=store)
    after = store.get("tiktok", account_id)
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    assert after.expires_at == creators.end_of(CONNECTED + timedelta(days=1)) + timedelta(hours=2)
    # the consent's end does not move with a refresh (180 days from the creator's consent)
    assert after.consent_expires_at == before.consent_expires_at
    app = authorized.app_connection("tiktok")
    with pytest.raises(ConsentRevoked, match="invalid_grant"):
        tiktok_display.refresh(app, before, creators.end_of(CONNECTED + timedelta(days=2)))


def test_a_consent_ending_soon_is_reported_and_an_ended_one_falls_back(world, sandbox):
    store = ProcessGrants()
    connected = _connect(sandbox, store, CONNECTED)
    day = date(2026, 11, 20)
    summary = land.land_platform("tiktok", day, sandbox, grants=store)
    ends = {a: creators.consent(world, world.account("tiktok", a)).ends_at() for a in connected}
    soon = {a for a, end in ends.items() if day < end.date() <= day + timedelta(days=14)}
    ended = {a for a, end in ends.items() if end.date() <= day}
    assert soon and ended
    events = summary["consent_events"]
    assert {e["account_id"] for e in events if e["event"] == "ending"} == soon
    assert all(e["days_left"] <= 14 for e in events if e["event"] == "ending")
    assert {e["account_id"] for e in events if e["event"] == "ended"} == ended
    gaps = {g["account_id"]: g for g in _rows_gaps(sandbox, day)}
    assert {a for a in ended if gaps[a]["kind"] == "consent_expired"} == ended
    landed = {r["account_id"] for r in _rows(sandbox, "accounts", day)}
    assert ended <= landed  # read as public data instead


def test_a_revoked_consent_is_recorded_and_read_as_public(world, sandbox, monkeypatch):
    monkeypatch.setattr(creators, "REVOKE_SHARE", 1.0)  # every creator revokes at some point
    store = ProcessGrants()
    connected = _connect(sandbox, store, CONNECTED)
    revoked_on = {a: creators.consent(world, world.account("tiktok", a)).revoked_on
                  for a in connected}
    day = min(revoked_on.values())  # the first revocation after the creators connected
    revoked = {a for a, on in revoked_on.items() if on <= day}
    land.land_platform("tiktok", day, sandbox, grants=store)
    gaps = {g["account_id"]: g for g in _rows_gaps(sandbox, day)}
    assert {a for a in revoked if gaps[a]["kind"] == "consent_revoked"} == revoked
    assert all(store.get("tiktok", a).status == "revoked" for a in revoked)
    assert revoked <= {r["account_id"] for r in _rows(sandbox, "accounts", day)}


def test_a_commercial_user_without_research_access_still_runs_tiktok(sandbox, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_KOL_TIKTOK")
    store = ProcessGrants()
    connected = set(_connect(sandbox, store, CONNECTED))
    summary = land.land_platform("tiktok", CONNECTED, sandbox, grants=store)
    landed = {r["account_id"] for r in _rows(sandbox, "accounts", CONNECTED)}
    assert landed == connected
    gaps = {g["account_id"]: g["kind"] for g in _rows_gaps(sandbox, CONNECTED)}
    registered = {a.account_id for a in registry.accounts_for(
        registry.load(sandbox.registry), "tiktok")}
    assert set(gaps) == registered - connected
    assert set(gaps.values()) == {"connection"}
    assert "error" not in summary


def test_no_creator_token_reaches_a_log_or_a_landed_file(sandbox, caplog):
    store = ProcessGrants()
    _connect(sandbox, store, CONNECTED)
    with caplog.at_level("DEBUG"):
        land.land_platform("tiktok", CONNECTED + timedelta(days=1), sandbox, grants=store)
    tokens = {t for g in store.grants.values() for t in (g.access_token, g.refresh_token)}
    landed = b"".join(p.read_bytes() for p in sandbox.home.rglob("*") if p.is_file())
    assert tokens and not [t for t in tokens if t in caplog.text or t.encode() in landed]
