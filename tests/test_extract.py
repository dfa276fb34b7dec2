"""Every client against the sandbox over loopback HTTP, with and without faults."""

from __future__ import annotations

import json
import logging
from datetime import date

import pyarrow.parquet as pq
import pytest

from kolpipe import extract, landing, registry
from kolpipe.config import PLATFORMS, Paths
from kolpipe.platforms.http import Connection, PlatformError
from kolpipe.sandbox.serve import running_sandbox
from kolpipe.sandbox.server import TOKENS, Faults, connections
from kolpipe.sandbox.world import World

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def world():
    return World(40)


def _home(tmp_path, world) -> Paths:
    paths = Paths(tmp_path)
    paths.registry.parent.mkdir(parents=True)
    paths.registry.write_text(registry.dump(world.kols()))
    return paths


def _conn(base_url: str, platform: str, **extra) -> Connection:
    spec = json.loads(connections(base_url)[f"AIRFLOW_CONN_KOL_{platform.upper()}"])
    return Connection(platform, spec["host"], spec["password"], {**spec["extra"], **extra})


def _landed_ids(paths: Paths, platform: str) -> dict[str, list[str]]:
    ids = {}
    for entity, column in (("accounts", "account_id"), ("posts", "id"), ("post_metrics", "id")):
        table = pq.read_table(landing.raw_file(paths, platform, entity, DAY))
        ids[entity] = sorted(table.column(column).to_pylist())
    return ids


@pytest.fixture(scope="module")
def clean_run(world, tmp_path_factory):
    """Each platform extracted once with no faults: the reference for the fault tests."""
    paths = _home(tmp_path_factory.mktemp("clean"), world)
    with running_sandbox(world) as url:
        summaries = {p: extract.extract_platform(p, DAY, paths, _conn(url, p)) for p in PLATFORMS}
    return paths, summaries


def test_every_platform_lands_the_registered_accounts(world, clean_run):
    paths, summaries = clean_run
    for platform in PLATFORMS:
        registered = [a for a in world.accounts if a.platform == platform]
        summary = summaries[platform]
        ids = _landed_ids(paths, platform)
        # Every registered account is either landed or reported with a reason.
        reported = {e["account_id"] for e in summary["account_errors"]}
        assert set(ids["accounts"]) | reported == {a.user_id for a in registered}
        assert len(ids["posts"]) == len(set(ids["posts"])) > 0
        assert ids["posts"] == ids["post_metrics"]
        assert summary["quarantined"] == 0 and summary["retries"] == 0


def test_youtube_batches_channels_and_videos(world, clean_run):
    summary = clean_run[1]["youtube"]
    channels = sum(a.platform == "youtube" for a in world.accounts)
    landed = summary["rows"]["accounts"]
    # one channels.list call per 50 ids, one playlistItems page per channel, videos by 50
    expected = -(-channels // 50) + landed + -(-summary["rows"]["posts"] // 50)
    assert summary["api_calls"] == expected


def test_faults_lose_and_duplicate_nothing(world, clean_run, tmp_path):
    reference_paths, _ = clean_run
    paths = _home(tmp_path, world)
    faults = Faults(throttle=0.15, server_error=0.15, truncated=0.1)
    waits: list[float] = []
    with running_sandbox(world, faults=faults) as url:
        for platform in PLATFORMS:
            module = extract.client_module(platform)
            original = module.make_client

            def patched(conn, as_of=None, _original=original):
                client = _original(conn, as_of)
                client._sleep = waits.append  # never wait in tests
                return client

            module.make_client = patched
            try:
                summary = extract.extract_platform(platform, DAY, paths,
                                                   _conn(url, platform, max_retries=8))
            finally:
                module.make_client = original
            assert summary["retries"] > 0
            assert _landed_ids(paths, platform) == _landed_ids(reference_paths, platform)
    assert waits and max(waits) <= 30


def test_malformed_records_go_to_quarantine_with_reason(world, tmp_path):
    paths = _home(tmp_path, world)
    with running_sandbox(world, faults=Faults(bad_record=0.5)) as url:
        summary = extract.extract_platform("x", DAY, paths, _conn(url, "x"))
    quarantined = pq.read_table(landing.quarantine_file(paths, "x", DAY)).to_pylist()
    assert summary["quarantined"] == len(quarantined) > 0
    assert all(row["reason"].startswith("unparseable") for row in quarantined)
    assert all("n/a" in row["raw_payload"] for row in quarantined)


def test_bad_token_fails_the_platform_clearly_and_never_shows_the_token(world, tmp_path, caplog):
    paths = _home(tmp_path, world)
    caplog.set_level(logging.DEBUG)
    with running_sandbox(world) as url:
        for platform in PLATFORMS:
            conn = _conn(url, platform)
            conn = Connection(platform, conn.base_url, "wrong-secret-token", conn.extra)
            with pytest.raises(PlatformError) as error:
                extract.extract_platform(platform, DAY, paths, conn)
            assert f"kol_{platform}" in str(error.value)
            assert "wrong-secret-token" not in str(error.value)
    assert all(t not in caplog.text for t in ["wrong-secret-token", *TOKENS.values()])


def test_rerun_replaces_the_partition(world, clean_run, tmp_path):
    paths = _home(tmp_path, world)
    with running_sandbox(world) as url:
        first = extract.extract_platform("tiktok", DAY, paths, _conn(url, "tiktok"))
        second = extract.extract_platform("tiktok", DAY, paths, _conn(url, "tiktok"))
    assert first["rows"] == second["rows"]
    files = list((paths.landing / "raw" / "tiktok" / "posts").rglob("*"))
    assert [f.name for f in files if f.is_file()] == ["part-0.parquet"]
    assert _landed_ids(paths, "tiktok") == _landed_ids(clean_run[0], "tiktok")


def test_weibo_without_commercial_access_says_so(world, tmp_path):
    paths = _home(tmp_path, world)
    with running_sandbox(world) as url:
        conn = _conn(url, "weibo")
        conn = Connection("weibo", conn.base_url, conn.token, {"sandbox": True})
        with pytest.raises(PlatformError, match="commercial"):
            extract.extract_platform("weibo", DAY, paths, conn)
