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


# A sampled profile counts as fake at this probability; the share of such profiles is the signal.
FAKE_PROBABILITY_CUTOFF = 0.5
# The platforms whose staged follower samples are scored. TikTok is left out: its Research API
# returns only username and display_name per follower, too little to tell a lurker from a bot
# (the classifier needs counts and the picture).
SCORED_PLATFORMS = ("x", "weibo")
# The dbt models the scorer reads; the DAG builds them before scoring.
STAGED_SAMPLES = tuple(f"stg_{platform}__follower_samples" for platform in SCORED_PLATFORMS)
# The staged follower columns (dbt/models/staging/<platform>/stg_<platform>__follower_samples,
# the one place each platform's fields are mapped) as the classifier's profile fields.
STAGED_PROFILE = """
    account_id,
    coalesce(follower_handle, '') as username,
    coalesce(follower_display_name, '') as full_name,
    coalesce(follower_bio, '') as bio,
    -- Both platforms serve a stock image ("default_profile", "/default/") when there is none.
    coalesce(profile_image_url, '') <> '' and not contains(profile_image_url, 'default')
        as has_profile_pic,
    coalesce(is_protected, false) as is_private,
    coalesce(trim(follower_url), '') <> '' as has_external_url,
    posts_count,
    followers as followers_count,
    following as following_count
"""
COUNTS = ("posts_count", "followers_count", "following_count")


def follower_scores_root(paths: Paths) -> Path:
    return paths.landing / "gate" / "follower_scores"


def follower_score_schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        ("account_key", pa.string()), ("platform", pa.string()), ("account_id", pa.string()),
        ("logical_date", pa.date32()), ("followers_sampled", pa.int64()),
        ("followers_scored", pa.int64()), ("fake_followers", pa.int64()),
        ("fake_follower_share", pa.float64()), ("mean_fake_probability", pa.float64()),
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
    """One row per account: followers sampled, scored (a follower with a missing count cannot
    be scored) and the share that look fake."""
    import math

    by_account: dict[str, list[dict]] = {}
    for follower in followers:
        by_account.setdefault(follower.pop("account_id"), []).append(follower)
    rows = []
    for account_id, sampled in sorted(by_account.items()):
        profiles = [f for f in sampled if all(f[count] is not None for count in COUNTS)]
        probabilities = score_profiles(profiles) if profiles else []
        fake = sum(p >= FAKE_PROBABILITY_CUTOFF for p in probabilities)
        rows.append({
            "account_key": f"{platform}:{account_id}", "platform": platform,
            "account_id": account_id, "logical_date": logical_date,
            "followers_sampled": len(sampled), "followers_scored": len(probabilities),
            "fake_followers": fake,
            "fake_follower_share": fake / len(probabilities) if probabilities else None,
            "mean_fake_probability": (math.fsum(probabilities) / len(probabilities)
                                      if probabilities else None),
        })
    return rows
