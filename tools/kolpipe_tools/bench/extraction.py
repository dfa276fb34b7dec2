"""The extraction stage: the real clients against the sandbox, one platform at a time, with
the fewest calls each platform's API allows for the same accounts and posts."""

from __future__ import annotations

import math
import os
import shutil
import time
from datetime import date
from pathlib import Path

from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.core.progress import progress as shared_progress


def progress(message: str) -> None:
    """Stage progress, one level under the bench's own lines."""
    shared_progress(message, level=1)


def extraction(params: dict) -> dict:
    """The real clients (land.land_platform) against the sandbox, one platform at a time,
    under the sandbox's per-platform rate limit."""

    from kolpipe import land, registry
    from kolpipe_tools.sandbox.serve import sandbox_process
    from kolpipe_tools.sandbox.world import World

    home = Path(params["home"])
    shutil.rmtree(home, ignore_errors=True)
    paths = Paths(home)
    os.environ["KOLPIPE_HOME"] = str(home)
    os.environ.pop("KOLPIPE_REGISTRY", None)
    paths.registry.parent.mkdir(parents=True, exist_ok=True)
    paths.registry.write_text(registry.dump(World(params["kols"]).kols()), encoding="utf-8")
    # A process of its own (not serve.running_sandbox's thread), so the server's work does not
    # compete with the clients' for this process's GIL and skew calls per second.
    with sandbox_process(params["kols"], rate_per_second=params["rate"]):
        day = date.fromisoformat(params["date"])
        kols = registry.load(paths.registry)
        platforms = {}
        for platform in PLATFORMS:
            registered = len(registry.accounts_for(kols, platform))
            started = time.monotonic()
            summary = land.land_platform(platform, day, paths)
            seconds = time.monotonic() - started
            figures = _extraction_figures(platform, registered, summary, seconds,
                                          params["rate"], _sampled(paths, platform, day))
            platforms[platform] = figures
            progress(f"extraction {platform}: {registered} accounts, {summary['api_calls']} "
                     f"calls (minimum {figures['minimum_calls']}), "
                     f"{figures['calls_per_second']:.1f} calls/s of {params['rate']} allowed, "
                     f"{summary['throttled']} x 429, {seconds:.1f}s")
    return {"platforms": platforms, "rate_per_second": params["rate"], "date": params["date"]}


def minimum_calls(platform: str, registered: int, found: int, readable: int, posts: int) -> int:
    """The fewest calls the platform's API allows for the day's accounts and posts, with every
    batch full: ids per call where the API batches them, a page per account where it cannot."""
    from kolpipe.extract import tiktok, x, youtube

    pages = math.ceil
    if platform == "instagram":  # Business Discovery: one account per call, 50 media included
        return registered
    if platform == "youtube":  # channels.list 50 ids; one playlist page each; videos.list 50 ids
        return pages(registered / youtube.BATCH) + found + pages(posts / youtube.BATCH)
    if platform == "tiktok":  # user info one username a call; video query 100 videos a page
        return registered + pages(posts / tiktok.PAGE_SIZE)
    if platform == "x":  # users lookup 100 ids; one timeline page (100 posts) per readable user
        return pages(registered / x.USERS_PER_CALL) + readable
    return registered + found  # weibo: users/show and one timeline page per account


def _sampled(paths: Paths, platform: str, day: date) -> int:
    """Sample reads the day needed at least: one per account with a follower sample, one per
    post with a comment sample (each a first page)."""
    import pyarrow.parquet as pq

    from kolpipe.core import files

    needed = 0
    for entity, key in (("follower_samples", "account_id"), ("comment_samples", None)):
        path = files.raw_file(paths, platform, entity, day)
        if not path.exists():
            continue
        table = pq.read_table(path)
        if key is None:  # the post a comment belongs to
            key = next(c for c in ("video_id", "conversation_id", "status_id", "post_id")
                       if c in table.column_names)
        needed += len(set(table.column(key).to_pylist()))
    return needed


def _extraction_figures(platform: str, registered: int, summary: dict, seconds: float,
                        rate: float, sample_reads: int = 0) -> dict:
    errors = summary["account_errors"]
    found = summary["rows"]["accounts"]
    readable = found - sum(1 for e in errors if e["kind"] == "private")
    posts = summary["rows"]["posts"]
    minimum = minimum_calls(platform, registered, found, readable, posts) + sample_reads
    calls = summary["api_calls"]
    return {"accounts": registered, "found": found, "posts": posts, "api_calls": calls,
            "quota_units": summary["quota_units"], "minimum_calls": minimum,
            "calls_per_account_day": round(calls / max(1, registered), 3),
            "minimum_per_account_day": round(minimum / max(1, registered), 3),
            "seconds": round(seconds, 2), "calls_per_second": round(calls / seconds, 2),
            "allowed_per_second": rate, "throttled_429": summary["throttled"],
            "retries": summary["retries"]}
