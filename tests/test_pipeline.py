"""The gate task alerts on news only: accounts newly gated, or gated for other reasons."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from kolpipe.pipeline import newly_gated_rows


def _partition(root, day: str, rows: list[tuple[str, str, str | None]]) -> None:
    folder = root / f"dt={day}"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(
        [{"account_key": k, "verdict": v, "reason_codes": r} for k, v, r in rows]),
        folder / "part-0.parquet")


def _row(key: str, verdict: str, reasons: str | None) -> dict:
    return {"account_key": key, "platform": key.split(":")[0], "verdict": verdict,
            "reason_codes": reasons}


def test_only_new_or_changed_gated_accounts_are_news(tmp_path):
    _partition(tmp_path, "2026-11-18", [("x:1", "pass", None)])  # older: ignored
    _partition(tmp_path, "2026-11-19", [("x:1", "fail", "follower_spike"),
                                        ("x:2", "review", "engagement_low"),
                                        ("x:3", "fail", "engagement_too_low")])
    _partition(tmp_path, "2026-11-21", [("x:4", "pass", None)])  # later (a backfill): ignored
    today = [_row("x:1", "fail", "follower_spike"),          # same as yesterday
             _row("x:2", "fail", "engagement_too_low"),      # review -> fail
             _row("x:3", "fail", "engagement_too_low; fake_followers"),  # new reason
             _row("x:4", "review", "engagement_low"),        # first time gated
             _row("x:5", "pass", None)]                      # not gated
    news = newly_gated_rows(today, tmp_path, date(2026, 11, 20))
    assert [row["account_key"] for row in news] == ["x:2", "x:3", "x:4"]


def test_without_history_every_gated_account_is_news(tmp_path):
    today = [_row("x:1", "fail", "follower_spike"), _row("x:2", "pass", None)]
    assert [r["account_key"] for r in newly_gated_rows(today, tmp_path, date(2026, 11, 20))] == [
        "x:1"]
