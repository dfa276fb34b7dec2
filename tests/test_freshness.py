"""The join after the raw checks: a failed check stops the date, an outage only marks a
platform stale."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.validate.freshness import RawDataNotReady, raw_ready

DAY = date(2026, 11, 20)


def _states(**overrides: str) -> dict[str, str]:
    states = {}
    for p in PLATFORMS:
        states[f"extract_{p}"] = "success"
        states[f"check_raw_{p}"] = "success"
    states.update(overrides)
    return states


def test_all_landed_means_nothing_stale(tmp_path):
    record = raw_ready(DAY, _states(), Paths(tmp_path))
    assert record["landed"] == list(PLATFORMS)
    assert record["stale"] == {}


def test_an_outage_marks_only_that_platform_stale_and_is_recorded(tmp_path):
    states = _states(extract_weibo="failed", check_raw_weibo="upstream_failed")
    record = raw_ready(DAY, states, Paths(tmp_path))
    assert record["stale"] == {"weibo": "failed"}
    assert "weibo" not in record["landed"] and len(record["landed"]) == 4
    stored = json.loads((tmp_path / "runs" / "freshness" / "dt=2026-11-20.json").read_text())
    assert stored == record


def test_a_failed_data_check_stops_the_date(tmp_path):
    with pytest.raises(RawDataNotReady, match="raw data checks failed for tiktok"):
        raw_ready(DAY, _states(check_raw_tiktok="failed"), Paths(tmp_path))
    assert not (tmp_path / "runs" / "freshness").exists()


def test_nothing_landed_stops_the_date(tmp_path):
    states = {f"extract_{p}": "failed" for p in PLATFORMS}
    with pytest.raises(RawDataNotReady, match="no platform was extracted"):
        raw_ready(DAY, states, Paths(tmp_path))
