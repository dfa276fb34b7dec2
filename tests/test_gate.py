"""The account gate: the policy file, verdict derivation (GX over signal rows), overrides, and
a small end to end on the sandbox (landing -> dbt signals -> gate -> gated marts)."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest
from kolpipe import gate
from kolpipe.config import Paths
from kolpipe.config import paths as default_paths

DAY = date(2026, 5, 28)


def signal_rows(**accounts: dict) -> pd.DataFrame:
    """Signal rows with every column the policy reads; unset signals are null (no evidence)."""
    columns = {rule.column for rule in gate.load_policy()}
    columns |= {c for rule in gate.load_policy() for c in rule.evidence}
    rows = []
    for key, values in accounts.items():
        row = dict.fromkeys(columns)
        row.update(account_key=key, platform=key.split(":")[0], account_id=key.split(":")[1])
        row.update(values)
        rows.append(row)
    return pd.DataFrame(rows)


CLEAN = {"spike_robust_z": 2.1, "engagement_rate_vs_expected_for_size": 1.05,
         "likes_per_comment_vs_platform_median_max": 1.01,
         "follower_following_ratio_vs_tier_median": 0.9}


def by_key(verdicts):
    return {v.account_key: v for v in verdicts}


def test_policy_rules_name_a_reason_and_a_severity():
    rules = gate.load_policy()
    assert {r.reason_code for r in rules} >= {"follower_spike", "engagement_too_low",
                                              "likes_without_comments"}
    assert all(r.severity in ("review", "fail") for r in rules)


def test_verdicts_follow_the_most_severe_rule_with_one_reason_per_signal():
    frame = signal_rows(**{
        "x:clean": CLEAN,
        "x:spike": {**CLEAN, "spike_robust_z": 600.0, "spike_date": date(2026, 5, 17)},
        "x:idle_audience": {**CLEAN, "engagement_rate_vs_expected_for_size": 0.1},
        "x:a_bit_low": {**CLEAN, "engagement_rate_vs_expected_for_size": 0.4},
        "x:bought_likes": {**CLEAN, "likes_per_comment_vs_platform_median_max": 6.0,
                           "engagement_rate_vs_expected_for_size": 5.5},
        "x:no_history": {},
    })
    verdicts = by_key(gate.judge(gate.load_policy(), frame, {}))
    assert {k: v.verdict for k, v in verdicts.items()} == {
        "x:clean": "pass", "x:spike": "fail", "x:idle_audience": "fail",
        "x:a_bit_low": "review", "x:bought_likes": "fail", "x:no_history": "pass"}
    assert verdicts["x:spike"].reason_codes == ["follower_spike"]
    # the review band around the fail threshold does not add a second reason
    assert verdicts["x:idle_audience"].reason_codes == ["engagement_too_low"]
    assert verdicts["x:a_bit_low"].reason_codes == ["engagement_low"]
    assert verdicts["x:bought_likes"].reason_codes == ["likes_without_comments",
                                                       "engagement_too_high"]
    assert verdicts["x:spike"].evidence["follower_spike"]["spike_date"] == "2026-05-17"


def _verdict_file(paths: Paths, day: date, frame: pd.DataFrame) -> list[gate.Verdict]:
    verdicts = gate.judge(gate.load_policy(), frame, gate.load_overrides(paths))
    gate.write_verdicts(paths, day, gate.verdict_rows(verdicts, frame, day))
    return verdicts


def test_override_holds_until_the_evidence_changes():
    paths = default_paths()
    spike = {**CLEAN, "spike_robust_z": 600.0, "spike_date": date(2026, 5, 17)}
    _verdict_file(paths, DAY, signal_rows(**{"x:1": spike}))
    gate.record_override("x:1", "pass", "campaign launch, verified with the agency", "ana",
                         paths)

    # next day, same spike: the override applies; the computed verdict is kept beside it
    later = by_key(_verdict_file(paths, DAY + timedelta(days=1),
                                 signal_rows(**{"x:1": {**spike, "spike_robust_z": 580.0}})))
    assert later["x:1"].verdict == "pass" and later["x:1"].computed_verdict == "fail"
    assert later["x:1"].override_status == "applied"

    # a new spike is new evidence: the override is ignored and reported stale
    newer = by_key(_verdict_file(paths, DAY + timedelta(days=2), signal_rows(**{
        "x:1": {**spike, "spike_robust_z": 900.0, "spike_date": DAY + timedelta(days=2)}})))
    assert newer["x:1"].verdict == "fail"
    assert newer["x:1"].override_status == "stale: evidence changed"


def test_override_needs_a_verdict_to_be_made_against():
    with pytest.raises(gate.OverrideError, match="no gate verdict"):
        gate.record_override("x:404", "pass", "looks fine", "ana", default_paths())
    with pytest.raises(gate.OverrideError, match="reason"):
        gate.record_override("x:404", "pass", " ", "ana", default_paths())


# ---------------------------------------------------------------------------------------------
# End to end on a small sandbox world
# ---------------------------------------------------------------------------------------------

E2E_END = date(2026, 5, 28)
E2E_DAYS = 24
KOLS = 16
# Pods need 4 members on one platform: more pods and comment farms than the default rates, so
# that the small world has a ring on Instagram and on YouTube and comment farms on four platforms.
PLANTED_RATES = {"engagement_pod": 0.4, "generic_comments": 0.15}


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    import os

    from kolpipe import gate_benchmark, warehouse
    from kolpipe.sandbox.world import World

    home = tmp_path_factory.mktemp("gate_e2e")
    previous = os.environ.get("KOLPIPE_HOME")
    os.environ["KOLPIPE_HOME"] = str(home)
    try:
        paths = Paths(home)
        world = World(KOLS, 7, PLANTED_RATES)
        dates = gate_benchmark.window_dates(E2E_END, E2E_DAYS)
        gate_benchmark.land_history(world, dates, paths)
        for day in dates:
            gate.score_follower_samples(day, paths)
        warehouse.dbt_build(E2E_END, paths)
        result = gate.run_gate(E2E_END, paths)
        warehouse.dbt_build(E2E_END, paths, select=f"tag:{gate.GATED_TAG}")
        yield world, paths, result
    finally:
        if previous is not None:
            os.environ["KOLPIPE_HOME"] = previous


def _label_keys(world, problem: str) -> set[str]:
    return {f"{x['platform']}:{x['account_id']}" for x in world.labels()
            if x["problem"] == problem and date.fromisoformat(x["since"]) <= E2E_END}


def test_planted_accounts_fail_with_their_reason_codes(gated):
    world, _, result = gated
    verdicts = {row["account_key"]: row for row in result.verdict_rows}
    spike_in_window = {f"{x['platform']}:{x['account_id']}" for x in world.labels()
                       if x["problem"] == "follower_spike"
                       and E2E_END - timedelta(days=E2E_DAYS - 8) <= date.fromisoformat(x["since"])
                       <= E2E_END}
    expected = {"follower_spike": spike_in_window,
                "likes_without_comments": _label_keys(world, "bought_likes")}
    assert all(expected.values()), expected  # the small world plants each of them
    for reason, keys in expected.items():
        for key in keys:
            assert verdicts[key]["verdict"] == "fail", (key, verdicts[key])
            assert reason in verdicts[key]["reason_codes"].split("; ")
    # The expected-rate line is fitted through ~13 Instagram accounts in this small world, so
    # the idle audience lands in the review band here; on the 200-KOL benchmark all fail.
    idle = _label_keys(world, "fake_audience")
    assert idle
    for key in idle:
        assert verdicts[key]["verdict"] in ("review", "fail"), (key, verdicts[key])
        assert verdicts[key]["reason_codes"] in ("engagement_too_low", "engagement_low")


def test_clean_accounts_pass(gated):
    world, _, result = gated
    labelled = {f"{x['platform']}:{x['account_id']}" for x in world.labels()}
    clean = [row for row in result.verdict_rows if row["account_key"] not in labelled]
    assert len(clean) >= 20
    gated = [row for row in clean if row["verdict"] != "pass"]
    # One genuinely quiet YouTube channel (6 posts, a third of the expected rate) is the
    # benchmark's one false alarm too; no clean account trips a spike or a likes rule.
    assert [row["account_key"] for row in gated] == ["youtube:UC29829c714c7b821477d5c8"]
    assert gated[0]["reason_codes"] == "engagement_too_low"


def test_gated_marts_keep_failed_accounts_out_of_approved_kols(gated):
    _, paths, result = gated
    failed = {row["account_key"] for row in result.verdict_rows if row["verdict"] == "fail"}
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        approved = {k for (k,) in con.execute("select account_key from marts.approved_kols")
                    .fetchall()}
        history = con.execute("select account_key, verdict, valid_from, is_current "
                              "from marts.account_verdicts").fetchall()
    not_failed = {row["account_key"] for row in result.verdict_rows if row["verdict"] != "fail"}
    assert failed and not failed & approved
    assert approved == not_failed  # every judged account of this world is registered
    current = {key: verdict for key, verdict, valid_from, is_current in history if is_current}
    assert {k for k, v in current.items() if v == "fail"} == failed
    assert all(valid_from == E2E_END for _, _, valid_from, _ in history)
