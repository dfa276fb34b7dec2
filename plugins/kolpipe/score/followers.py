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
# How each platform's landed follower fields map to the classifier's profile fields. TikTok is
# left out: its Research API returns only username and display_name per follower, too little to
# tell a lurker from a bot (the classifier needs counts and the picture).
FOLLOWER_FIELDS = {
    "x": {"username": "username", "full_name": "name", "bio": "description",
          "is_private": "protected", "posts_count": "tweet_count",
          "followers_count": "followers_count", "following_count": "following_count"},
    "weibo": {"username": "screen_name", "full_name": "name", "bio": "description",
              "is_private": None, "posts_count": "statuses_count",
              "followers_count": "followers_count", "following_count": "friends_count"},
}


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


def follower_profile(platform: str, row: dict[str, Any]) -> dict[str, Any] | None:
    """The classifier's profile fields from one landed follower row; None when a count is
    missing (the profile cannot be scored)."""
    fields = FOLLOWER_FIELDS[platform]
    counts = {name: row.get(fields[name])
              for name in ("posts_count", "followers_count", "following_count")}
    if any(value is None or value < 0 for value in counts.values()):
        return None
    picture = row.get("profile_image_url") or ""
    return {
        "username": row.get(fields["username"]) or "",
        "full_name": row.get(fields["full_name"]) or "",
        "bio": row.get(fields["bio"]) or "",
        # Both platforms serve a stock image ("default_profile", "/default/") when there is none.
        "has_profile_pic": bool(picture) and "default" not in picture,
        "is_private": bool(row.get(fields["is_private"])) if fields["is_private"] else False,
        "has_external_url": bool((row.get("url") or "").strip()),
        **counts,
    }


def score_follower_samples(logical_date: date, paths: Paths | None = None) -> dict[str, Any]:
    """Score the date's landed follower samples (X, Weibo) and write the share of fake-looking
    followers per account to landing/gate/follower_scores/dt=<date>/part-0.parquet.

    Runs after the raw checks and before the first dbt build of the date. Idempotent: a rerun
    replaces the partition. A platform without a follower-sample partition that day is skipped
    (not extracted, or no samples): its accounts get no fake-follower evidence."""
    from kolpipe.core import files
    from kolpipe.score import score_profiles

    paths = paths or default_paths()
    rows, skipped = [], []
    for platform in FOLLOWER_FIELDS:
        source = files.raw_file(paths, platform, "follower_samples", logical_date)
        if not source.exists():
            skipped.append(platform)
            continue
        by_account: dict[str, list[dict]] = {}
        for row in files.read_partition(source).to_pylist():
            by_account.setdefault(row["account_id"], []).append(row)
        for account_id, followers in sorted(by_account.items()):
            profiles = [p for p in (follower_profile(platform, f) for f in followers) if p]
            probabilities = score_profiles(profiles) if profiles else []
            fake = sum(p >= FAKE_PROBABILITY_CUTOFF for p in probabilities)
            rows.append({
                "account_key": f"{platform}:{account_id}", "platform": platform,
                "account_id": account_id, "logical_date": logical_date,
                "followers_sampled": len(followers), "followers_scored": len(probabilities),
                "fake_followers": fake,
                "fake_follower_share": fake / len(probabilities) if probabilities else None,
                "mean_fake_probability": (sum(probabilities) / len(probabilities)
                                          if probabilities else None),
            })
    path = files.partition_file(follower_scores_root(paths), logical_date)
    files.write_partition(path, rows, follower_score_schema())
    log.info("follower scores %s: %d accounts scored; no follower samples from %s",
             logical_date, len(rows), ", ".join(skipped) or "none")
    return {"logical_date": logical_date.isoformat(), "accounts": len(rows),
            "profiles": sum(r["followers_scored"] for r in rows),
            "platforms_without_samples": skipped, "path": str(path)}
