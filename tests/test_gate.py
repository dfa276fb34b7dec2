"""The account gate: the policy file, verdict derivation (GX over signal rows), overrides.
The end to end on a sandbox world is in test_gate_on_sandbox.py."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from kolpipe import gate
from kolpipe.core.paths import Paths
from kolpipe.core.paths import paths as default_paths
from kolpipe.score import followers

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


def test_comment_uniformity_and_fake_follower_rules():
    frame = signal_rows(**{
        "youtube:ring": {**CLEAN, "ring_comment_share": 0.7, "ring_registered_commenters": 4,
                         "observed_date": DAY},
        "tiktok:farm": {**CLEAN, "generic_comment_share": 0.65, "duplicate_comment_share": 0.75},
        "tiktok:chatty_fans": {**CLEAN, "generic_comment_share": 0.38},
        "instagram:pod": {**CLEAN, "engagement_rate_robust_cv_vs_platform_median": 0.3,
                          "engagement_rate_vs_expected_for_size": 2.6},
        # as alike, but at the expected engagement level: only a person can tell
        "instagram:steady": {**CLEAN, "engagement_rate_robust_cv_vs_platform_median": 0.3},
        "instagram:bought_comments": {**CLEAN, "likes_per_comment_vs_platform_median": 0.25},
        # 55 of 100 fake (Wilson 95 %: 0.452-0.644): the whole interval is over 0.35
        "x:fake_followers": {**CLEAN, "fake_follower_share": 0.55,
                             "fake_follower_share_ci_low": 0.452,
                             "fake_follower_share_ci_high": 0.644},
        # 6 of 20 (0.145-0.519): the interval straddles 0.35, a person looks
        "x:small_sample": {**CLEAN, "fake_follower_share": 0.3,
                           "fake_follower_share_ci_low": 0.145,
                           "fake_follower_share_ci_high": 0.519},
        # 30 of 300 (0.071-0.139): clear of the threshold
        "x:genuine": {**CLEAN, "fake_follower_share": 0.1,
                      "fake_follower_share_ci_low": 0.071, "fake_follower_share_ci_high": 0.139},
    })
    verdicts = by_key(gate.judge(gate.load_policy(), frame, {}))
    assert {k: (v.verdict, v.reason_codes) for k, v in verdicts.items()} == {
        "youtube:ring": ("fail", ["comment_ring"]),
        "tiktok:farm": ("fail", ["generic_comments", "duplicate_comments"]),
        "tiktok:chatty_fans": ("review", ["generic_comments_high"]),
        "instagram:pod": ("fail", ["uniform_engagement"]),
        "instagram:steady": ("review", ["uniform_engagement_low_spread"]),
        "instagram:bought_comments": ("fail", ["comments_without_likes"]),
        "x:fake_followers": ("fail", ["fake_followers"]),
        "x:small_sample": ("review", ["fake_followers_uncertain"]),
        "x:genuine": ("pass", []),
    }
    ring = verdicts["youtube:ring"].evidence["comment_ring"]
    assert ring["ring_registered_commenters"] == 4 and ring["observed_date"] == DAY.isoformat()
    pod_reason = gate.verdict_rows([verdicts["instagram:pod"]], frame, DAY)[0]["reasons"]
    assert "where engagement_rate_vs_expected_for_size > 2" in pod_reason


@pytest.mark.slow
def test_follower_samples_are_scored_per_account():
    """Through the staging models, where each platform's follower fields are mapped once."""
    from kolpipe.core import fields, files
    from kolpipe.extract import weibo, x
    from kolpipe_tools.sandbox import server
    from kolpipe_tools.sandbox.world import World

    paths = default_paths()
    world = World(200, 7)
    day = date(2026, 6, 1)

    def live(platform, bought):
        return next(a for a in world.accounts if a.platform == platform and a.exists_on(day)
                    and not a.is_private_on(day)
                    and (("fake_audience" in a.problems) if bought else not a.problems))

    accounts = {"x": (live("x", True), live("x", False)),
                "weibo": (live("weibo", True), live("weibo", False))}
    to_payload = {"x": server._x_follower, "weibo": server._weibo_follower}
    to_row = {"x": x._follower_row, "weibo": weibo._follower_row}
    for platform, pair in accounts.items():
        rows = [{"account_id": account.user_id, "logical_date": day,
                 **to_row[platform](to_payload[platform](follower, day))}
                for account in pair for follower in account.follower_sample(day, 100)]
        files.write_partition(files.raw_file(paths, platform, "follower_samples", day), rows,
                                fields.schema(platform, "follower_samples"))
    # TikTok extracted, but none of its accounts had a follower sample that day
    files.write_partition(files.raw_file(paths, "tiktok", "follower_samples", day), [],
                          fields.schema("tiktok", "follower_samples"))

    from kolpipe import build

    build.dbt_build(day, paths, select=" ".join(followers.STAGED_SAMPLES))
    summary = followers.score_follower_samples(day, paths)
    assert summary["accounts"] == 4 and summary["profiles"] == 400
    assert summary["platforms_without_samples"] == ["tiktok"]
    scores = {row["account_key"]: row for row in files.read_partition(
        files.partition_file(followers.follower_scores_root(paths), day)).to_pylist()}
    for bought, genuine in accounts.values():
        assert scores[bought.key]["fake_follower_share"] > 0.35
        assert scores[genuine.key]["fake_follower_share"] < 0.25
        assert scores[genuine.key]["followers_scored"] == 100


def test_benchmark_truth_scores_only_what_the_window_can_show():
    from kolpipe_tools.evaluate.gate import ground_truth

    start, end = date(2026, 5, 1), date(2026, 6, 29)

    def label(key, problem, since):
        platform, account_id = key.split(":")
        return {"platform": platform, "account_id": account_id, "problem": problem,
                "since": since.isoformat()}

    labels = [label("x:1", "follower_spike", date(2026, 5, 3)),  # no baseline yet
              label("x:2", "follower_spike", date(2026, 6, 1)),
              label("x:3", "engagement_pod", date(2024, 1, 1)),
              label("x:3", "dormant", date(2025, 12, 1)),  # no posts: a pod shows nothing
              label("x:4", "generic_comments", date(2024, 1, 1)),  # private on the last day
              label("x:5", "generic_comments", date(2024, 1, 1))]
    truth = ground_truth(labels, ["x:1", "x:2", "x:3", "x:4", "x:5", "x:6"], start, end,
                         not_public={"x:4"})
    assert {k: (t.kind, t.is_bot_inflated) for k, t in truth.items()} == {
        "x:1": ("follower_spike_without_baseline", None), "x:2": ("follower_spike", True),
        "x:3": ("engagement_pod_while_dormant", None),
        "x:4": ("generic_comments_not_public", None), "x:5": ("generic_comments", True),
        "x:6": ("clean", False)}


def test_a_bad_policy_rule_is_reported_with_its_file_rule_and_reason_code(tmp_path):
    policy = tmp_path / "account_gate.yml"
    policy.write_text("rules:\n"
                      "  - expectation: expect_column_values_to_be_betwen\n"
                      "    kwargs: {column: spike_robust_z, max_value: 8}\n"
                      "    meta: {reason_code: follower_spike, severity: fail}\n")
    rules = gate.load_policy(policy)
    with pytest.raises(gate.GatePolicyError, match=r"account_gate.yml rule 1 \(follower_spike\): "
                       "unknown expectation 'expect_column_values_to_be_betwen'"):
        gate.failing_accounts(rules, signal_rows(**{"x:1": CLEAN}))
    policy.write_text(policy.read_text().replace("severity: fail", "severity: block"))
    with pytest.raises(gate.GatePolicyError, match="rule 1: meta.severity must be one of"):
        gate.load_policy(policy)


def test_reuse_landing_refuses_another_window_or_world(tmp_path):
    from kolpipe.core import files
    from kolpipe_tools.evaluate import gate as gate_evaluation

    paths = Paths(tmp_path)
    dates = gate_evaluation.window_dates(date(2026, 6, 30), 3)
    for day in dates[1:]:
        (paths.landing / "raw" / "registry" / "accounts" / f"dt={day}").mkdir(parents=True)
    with pytest.raises(gate_evaluation.LandingNotReusable, match="1 of the window's 3 dates"):
        gate_evaluation.check_reusable_landing(paths, 200, 7, dates)
    gate_evaluation.check_reusable_landing(paths, 200, 7, dates[1:])
    files.write_json(gate_evaluation.landing_record(paths), {"kols": 200, "seed": 7})
    gate_evaluation.check_reusable_landing(paths, 200, 7, dates[1:])
    with pytest.raises(gate_evaluation.LandingNotReusable, match="pass --kols 200 --seed 7"):
        gate_evaluation.check_reusable_landing(paths, 200, 11, dates[1:])


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


def test_scoring_before_the_samples_are_staged_names_the_models_to_build(tmp_path):
    paths = Paths(tmp_path)
    paths.warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(paths.warehouse)).close()  # a warehouse without the staging models
    with pytest.raises(FileNotFoundError, match="no staging.stg_x__follower_samples: build it "
                       "before scoring \\(dbt build --select stg_x__follower_samples "
                       "stg_weibo__follower_samples"):
        followers.score_follower_samples(DAY, paths)
    assert not followers.follower_scores_root(paths).exists()  # nothing half written


HEADER = "recorded_at,account_key,verdict,reason,by,evidence_fingerprint"


@pytest.mark.parametrize("content, encoding", [
    ("\ufeff" + HEADER + "\n2026-11-20T10:00:00+00:00,x:1,pass,TV spot,Zoë,fp1\n", "utf-8"),
    (HEADER.replace(",", ";") + "\n2026-11-20T10:00:00+00:00;x:1;pass;TV spot;Zoë;fp1\r\n",
     "cp1252"),
    (HEADER.replace(",", "\t") + "\n2026-11-20T10:00:00+00:00\tx:1\tpass\tTV spot\tZoë\tfp1\n",
     "utf-8"),
])
def test_overrides_saved_by_a_spreadsheet_are_read(tmp_path, content, encoding):
    paths = Paths(tmp_path)
    gate.overrides_path(paths).parent.mkdir(parents=True)
    gate.overrides_path(paths).write_bytes(content.encode(encoding))
    overrides, problems = gate.read_overrides(paths)
    assert problems == []
    assert (overrides["x:1"].verdict, overrides["x:1"].by,
            overrides["x:1"].evidence_fingerprint) == ("pass", "Zoë", "fp1")


def test_unusable_override_lines_are_left_out_and_reported_not_raised(tmp_path):
    paths = Paths(tmp_path)
    path = gate.overrides_path(paths)
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + "\nt,x:1,approved,ok,ana,fp\nt,,pass,ok,ana,fp\n"
                    "t,x:2,review,look,ana,fp\n", encoding="utf-8")
    overrides, problems = gate.read_overrides(paths)
    assert list(overrides) == ["x:2"]
    assert problems == [
        f"{path}, line 2: verdict 'approved' is not one of pass, review, fail; line left out "
        "(re-record it with `kolpipe gate override`)",
        f"{path}, line 3: no account_key; line left out"]
    path.write_text("account_key;verdict\nx:1;pass\n", encoding="utf-8")
    overrides, [problem] = gate.read_overrides(paths)
    assert overrides == {} and "line 1: no column(s) evidence_fingerprint" in problem
