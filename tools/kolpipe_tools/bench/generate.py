"""A year of landed history in bulk: the sandbox world's accounts, with their daily snapshots,
posts and post-metric observations computed in DuckDB SQL and written straight into the landing
layout (raw/<platform>/<entity>/dt=YYYY-MM-DD/part-0.parquet, typed by kolpipe.core.fields).

Why not the World API: computing a 10,000-account year through `Account.posts_published_on` and
`metrics_on` costs about 120 µs per account-day in Python before a single row is built (measured:
~7.5 minutes for the values alone), so the bench would spend its half hour generating. Here the
accounts themselves (ids, handles, audience, growth, posting rate, engagement rate, planted
problems) are taken from `World`, and the per-day draws follow the world's formulas and
distributions (world_sql.py, with the numbers of sandbox/constants.py) with a hash of (account,
day, post, purpose) as the random source instead of blake2b-seeded `random.Random`. The values
therefore differ draw by draw from what the sandbox server would answer, while the shapes, volumes
and quirks match what the extractors land: hidden likes are null, YouTube subscriber counts keep
three significant figures, views exist only for Instagram videos, private and churned accounts land
nothing, dormant accounts stop posting, and every post is re-observed daily for POST_WINDOW_DAYS
days.

How it stays within a minute or two: the draws are made once per account-day and once per post;
a post's row is rendered once, only its metrics are computed per observation; and each day's file
is written by its own COPY, two at a time. (One partitioned COPY per table over a materialized
table of every observation took 13 minutes for a year of 10,000 accounts.)

Entities this module does not generate (e.g. follower_samples, comment_samples) are landed as
empty partitions and listed in the manifest, and a column it does not know is landed as null
(listed in the manifest; tests/test_bench.py fails on it), so a fields.py change never stops
the bench.

The modules: world_sql.py (the daily formulas in SQL), columns.py (the landed columns of each
entity), writer.py (the Parquet files); this one builds the tables and runs them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import pyarrow as pa

from kolpipe.core import fields
from kolpipe.core.paths import PLATFORMS
from kolpipe.extract.base import POST_WINDOW_DAYS
from kolpipe_tools.bench.columns import entity_select, platform_tables
from kolpipe_tools.bench.world_sql import ACCOUNT_DAYS, MACROS, POSTS
from kolpipe_tools.bench.writer import DailyWriter, write_empty_partitions, write_registry
from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.account import Account
from kolpipe_tools.sandbox.draws import day_number
from kolpipe_tools.sandbox.vocabulary import LANGUAGES
from kolpipe_tools.sandbox.world import World

# Bump when the generated data changes, so cached landings are regenerated.
GENERATOR_VERSION = 2
GENERATED_ENTITIES = ("accounts", "posts", "post_metrics")
MAX_POSTS_PER_DAY = 8  # Poisson(max(c.POSTS_PER_DAY_CHOICES) = 1.2) exceeds 8 with p < 1e-5


@dataclass(frozen=True)
class WorldSize:
    accounts: int
    days: int
    end: date
    seed: int = c.DEFAULT_SEED

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def key(self) -> str:
        return (f"landing-{self.accounts}a-{self.days}d-{self.end.isoformat()}-s{self.seed}"
                f"-g{GENERATOR_VERSION}")


def world_accounts(size: WorldSize) -> list[Account]:
    """The first `size.accounts` accounts of the sandbox world (whole KOLs, then trimmed)."""
    kols = max(1, math.ceil(size.accounts / 2.4))
    accounts = World(kols, size.seed).accounts
    while len(accounts) < size.accounts:
        kols = math.ceil(kols * 1.1)
        accounts = World(kols, size.seed).accounts
    return accounts[:size.accounts]


def _accounts_table(accounts: list[Account]) -> pa.Table:
    def day_of(problem: str, account: Account) -> int | None:
        when = account.problems.get(problem)
        return None if when is None else day_number(when)

    rows = []
    for n, a in enumerate(accounts):
        tags = LANGUAGES[a.language][1]
        rows.append({
            "n": n, "kol_id": a.kol_id, "platform": a.platform, "user_id": a.user_id,
            "handle": a.handle, "old_handle": a.old_handle,
            "renamed_day": day_of("renamed_handle", a), "display_name": a.display_name,
            "bio": a.bio, "language": a.language, "niche": a.niche,
            "created_day": day_number(a.created_on),
            "followers_at_reference": float(a.followers_at_reference),
            "daily_growth": a.daily_growth, "posts_per_day": a.posts_per_day,
            "engagement_rate": a.engagement_rate, "following": a.following,
            "hidden_likes": a.hidden_likes, "hidden_subscribers": a.hidden_subscribers,
            "spike_day": day_of("follower_spike", a), "spike_size": float(a.spike_size),
            "dormant_day": day_of("dormant", a), "churned_day": day_of("churned", a),
            "private_day": day_of("private", a), "bought_likes_day": day_of("bought_likes", a),
            "tag_1": tags[0], "tag_2": tags[1],
        })
    return pa.Table.from_pylist(rows)


def _poisson_cdf_table(rates: set[float]) -> pa.Table:
    rows = []
    for rate in sorted(rates):
        cumulative = 0.0
        for k in range(MAX_POSTS_PER_DAY):
            cumulative += math.exp(-rate) * rate**k / math.factorial(k)
            rows.append({"rate": rate, "post_index": k, "cdf": cumulative})
    return pa.Table.from_pylist(rows)


def _platform_constants() -> pa.Table:
    rows = []
    for platform in PLATFORMS:
        split = c.ENGAGEMENT_SPLIT[platform]
        media = c.MEDIA_TYPES[platform]
        rows.append({"platform": platform, "split_likes": split[0], "split_comments": split[1],
                     "split_shares": split[2], "split_saves": split[3], "media_types": list(media)})
    return pa.Table.from_pylist(rows)



def generate(size: WorldSize, root: Path, progress: Callable[[str], None] = print,
             memory_limit: str = "6GB", threads: int = 2) -> dict:
    """Generate the landing zone for `size` under root (root/raw/...). Returns the row counts
    per table and what was skipped."""
    import duckdb

    started = time.monotonic()
    accounts = world_accounts(size)
    progress(f"generate: {len(accounts)} accounts from the sandbox world "
             f"({time.monotonic() - started:.1f}s)")
    staging = root.with_name(root.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    reference = c.REFERENCE_DATE
    # In memory: the tables live only for this run, and in a database file DuckDB also wrote
    # them to disk (building them took about 1.5 times as long). Spills still go to temp_directory.
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{memory_limit}'; set threads = {threads}; "
                f"set preserve_insertion_order = false; set TimeZone = 'UTC'; "
                f"set temp_directory = '{staging / 'spill'}'")
    con.execute(MACROS)
    accounts_arrow = _accounts_table(accounts)
    poisson_arrow = _poisson_cdf_table({a.posts_per_day for a in accounts})
    constants_arrow = _platform_constants()
    con.register("accounts_arrow", accounts_arrow)
    con.register("poisson_arrow", poisson_arrow)
    con.register("constants_arrow", constants_arrow)
    con.execute("create table accounts as select * from accounts_arrow; "
                "create table poisson as select * from poisson_arrow; "
                "create table platform_constants as select * from constants_arrow")
    first_day = (size.start - reference).days
    last_day = (size.end - reference).days
    days = range(first_day, last_day + 1)
    # Posts published up to a window before the first day are still observed on it.
    sql_params = {"reference": reference.isoformat(), "window": POST_WINDOW_DAYS}
    con.execute(ACCOUNT_DAYS.format(first_day=first_day - POST_WINDOW_DAYS + 1,
                                    last_day=last_day, **sql_params))
    progress(f"generate: account days drawn ({time.monotonic() - started:.1f}s)")
    con.execute(POSTS.format(**sql_params))
    progress(f"generate: posts drawn ({time.monotonic() - started:.1f}s)")
    for platform in PLATFORMS:
        for statement in platform_tables(platform, reference, first_day):
            con.execute(statement)
    con.execute("drop table posts; drop table account_days")
    progress(f"generate: accounts and posts rendered per platform "
             f"({time.monotonic() - started:.1f}s)")

    counts: dict[str, int] = {}
    skipped, null_columns = [], {}
    writer = DailyWriter(con, threads, reference)
    try:
        for platform in PLATFORMS:
            for entity in fields.NATIVE_FIELDS[platform]:
                if entity not in GENERATED_ENTITIES:
                    # Landed as empty partitions, as an extractor that found nothing lands them,
                    # so dbt sources over the entity still resolve.
                    skipped.append(f"{platform}/{entity}")
                    write_empty_partitions(staging / "raw" / platform / entity,
                                           fields.schema(platform, entity), size.start,
                                           size.days)
                    continue
                name = f"{platform}/{entity}"
                select_on, unknown = entity_select(platform, entity, reference)
                if unknown:
                    null_columns[name] = unknown
                counts[name] = writer.write(select_on, staging / "raw" / platform / entity, days)
                progress(f"generate: {name}: {counts[name]:,} rows "
                         f"({time.monotonic() - started:.1f}s)")
        counts["registry/accounts"] = write_registry(con, writer, accounts, days, staging)
    finally:
        writer.close()
    for platform in PLATFORMS:
        write_empty_partitions(staging / "quarantine" / platform,
                               fields.QUARANTINE_SCHEMA, size.start, size.days)
    con.close()
    shutil.rmtree(staging / "spill", ignore_errors=True)
    manifest = {"size": {"accounts": size.accounts, "days": size.days,
                         "start": size.start.isoformat(), "end": size.end.isoformat(),
                         "seed": size.seed},
                "generator_version": GENERATOR_VERSION, "rows": counts,
                "skipped_entities": skipped, "null_columns": null_columns,
                "seconds": round(time.monotonic() - started, 1)}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(root, ignore_errors=True)
    os.replace(staging, root)
    return manifest



def cached_landing(size: WorldSize, cache_dir: Path, progress: Callable[[str], None] = print,
                   memory_limit: str = "6GB") -> tuple[Path, dict, bool]:
    """The generated landing for `size`, generated once per parameters and generator version.
    Returns (root, manifest, was_cached)."""
    root = cache_dir / size.key
    manifest_file = root / "manifest.json"
    if manifest_file.exists():
        return root, json.loads(manifest_file.read_text()), True
    return root, generate(size, root, progress, memory_limit), False
