"""The score stage: the landed follower samples scored with the fake-follower classifier,
one row per account and date, before dbt builds (the signal models read the shares).

Writes landing/gate/follower_scores/dt=<date>/part-0.parquet. The DAG runs it after the raw
checks and before the first dbt build.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from kolpipe.core.paths import Paths
from kolpipe.core.paths import paths as default_paths

log = logging.getLogger(__name__)


# The platforms whose staged follower samples are scored. TikTok's follower list gives only
# username and display name: its scores carry the low confidence of that field set, and the
# gate does not judge on them (int_follower_scores_daily). Instagram and YouTube expose no
# follower list at all.
SCORED_PLATFORMS = ("x", "weibo", "tiktok")
# How each platform's sample is drawn, shown in the audience_credibility mart.
SAMPLE_METHODS = {
    "x": "newest followers (GET /2/users/:id/followers returns the most recent first)",
    "weibo": "newest followers (friendships/followers returns the most recent first)",
    "tiktok": "first page of followers as the Research API lists them (user/followers)",
}
# The dbt models the scorer reads; the DAG builds them before scoring.
STAGED_SAMPLES = tuple(f"stg_{platform}__follower_samples" for platform in SCORED_PLATFORMS)
# The staged follower columns (dbt/models/staging/<platform>/stg_<platform>__follower_samples,
# the one place each platform's fields are mapped) as the classifier's profile fields. A null
# stays null: the platform did not return the field, so it is unknown, not empty.
STAGED_PROFILE = """
    account_id,
    follower_handle as username,
    follower_display_name as full_name,
    follower_bio as bio,
    -- X and Weibo serve a stock image ("default_profile_images", "/default/") when there is none.
    case when profile_image_url is not null
        then profile_image_url <> '' and not contains(profile_image_url, 'default') end
        as has_profile_pic,
    is_protected as is_private,
    case when follower_url is not null then trim(follower_url) <> '' end as has_external_url,
    posts_count,
    followers as followers_count,
    following as following_count
"""
# Weakest first: an account-day's confidence is that of its least-informed scored profile.
CONFIDENCE_ORDER = ("low", "medium", "high")


def follower_scores_root(paths: Paths) -> Path:
    return paths.landing / "gate" / "follower_scores"


def follower_score_schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        ("account_key", pa.string()), ("platform", pa.string()), ("account_id", pa.string()),
        ("logical_date", pa.date32()), ("followers_sampled", pa.int64()),
        ("followers_scored", pa.int64()), ("fake_followers", pa.int64()),
        ("fake_follower_share", pa.float64()), ("mean_fake_probability", pa.float64()),
        ("score_confidence", pa.string()), ("score_fields", pa.string()),
        ("sample_method", pa.string()),
    ])


def score_follower_samples(logical_date: date, paths: Paths | None = None) -> dict[str, Any]:
    """Score the date's staged follower samples (X, Weibo) and write the share of fake-looking
    followers per account to landing/gate/follower_scores/dt=<date>/part-0.parquet.

    Runs after dbt's staging models and before the rest of the build, which reads the shares
    (source gate.follower_scores). Idempotent: a rerun replaces the partition. A platform
    without follower samples that day (not extracted, or no samples) is skipped: its accounts
    get no fake-follower evidence."""
    import duckdb

    from kolpipe.core import files
    from kolpipe.score import score_profiles

    paths = paths or default_paths()
    if not paths.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {paths.warehouse}: build dbt's staging models "
                                f"for {logical_date} before scoring the follower samples")
    rows, skipped = [], []
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        for platform, model in zip(SCORED_PLATFORMS, STAGED_SAMPLES, strict=True):
            try:
                samples = con.execute(f"select {STAGED_PROFILE} from staging.{model} "
                                      "where observed_date = ? order by account_id",
                                      [logical_date])
            except duckdb.CatalogException as error:
                raise FileNotFoundError(
                    f"{paths.warehouse} has no staging.{model}: build it before scoring "
                    f"(dbt build --select {' '.join(STAGED_SAMPLES)}; the DAG's "
                    f"follower_samples task group does)") from error
            columns = [column[0] for column in samples.description]
            followers = [dict(zip(columns, row, strict=True)) for row in samples.fetchall()]
            if not followers:
                skipped.append(platform)
            rows += _account_scores(platform, logical_date, followers, score_profiles)
    path = files.partition_file(follower_scores_root(paths), logical_date)
    files.write_partition(path, rows, follower_score_schema())
    log.info("follower scores %s: %d accounts scored; no follower samples from %s",
             logical_date, len(rows), ", ".join(skipped) or "none")
    return {"logical_date": logical_date.isoformat(), "accounts": len(rows),
            "profiles": sum(r["followers_scored"] for r in rows),
            "platforms_without_samples": skipped, "path": str(path)}


def _account_scores(platform: str, logical_date: date, followers: list[dict],
                    score_profiles: Any) -> list[dict[str, Any]]:
    """One row per account: followers sampled, scored (a follower with no known field cannot
    be scored), the share that look fake, and how much the scores can be trusted."""
    import math
    from collections import Counter

    from kolpipe.score.model import FAKE_CUTOFF

    by_account: dict[str, list[dict]] = {}
    for follower in followers:
        by_account.setdefault(follower.pop("account_id"), []).append(follower)
    rows = []
    for account_id, sampled in sorted(by_account.items()):
        scores = [s for s in score_profiles(sampled) if s.probability is not None]
        probabilities = [s.probability for s in scores]
        fake = sum(p >= FAKE_CUTOFF for p in probabilities)
        fields = Counter(";".join(s.fields) for s in scores).most_common(1)
        rows.append({
            "account_key": f"{platform}:{account_id}", "platform": platform,
            "account_id": account_id, "logical_date": logical_date,
            "followers_sampled": len(sampled), "followers_scored": len(probabilities),
            "fake_followers": fake,
            "fake_follower_share": fake / len(probabilities) if probabilities else None,
            "mean_fake_probability": (math.fsum(probabilities) / len(probabilities)
                                      if probabilities else None),
            "score_confidence": min((s.confidence for s in scores),
                                    key=CONFIDENCE_ORDER.index, default=None),
            "score_fields": fields[0][0] if fields else None,
            "sample_method": SAMPLE_METHODS[platform],
        })
    return rows
