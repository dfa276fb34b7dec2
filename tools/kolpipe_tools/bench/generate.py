"""A year of landed history in bulk: the sandbox world's accounts, with their daily snapshots,
posts and post-metric observations computed in DuckDB SQL and written straight into the landing
layout (raw/<platform>/<entity>/dt=YYYY-MM-DD/part-0.parquet, typed by landing_schema).

Why not the World API: computing a 10,000-account year through `Account.posts_published_on` and
`metrics_on` costs about 120 µs per account-day in Python before a single row is built (measured:
~7.5 minutes for the values alone), so the bench would spend its half hour generating. Here the
accounts themselves (ids, handles, audience, growth, posting rate, engagement rate, planted
problems) are taken from `World`, and the per-day draws follow world.py's formulas and
distributions with a hash of (account, day, post, purpose) as the random source instead of
blake2b-seeded `random.Random`. The values therefore differ draw by draw from what the sandbox
server would answer, while the shapes, volumes and quirks match what the extractors land:
hidden likes are null, YouTube subscriber counts keep three significant figures, views exist only
for Instagram videos, private and churned accounts land nothing, dormant accounts stop posting,
and every post is re-observed daily for POST_WINDOW_DAYS days.

How it stays within a minute or two: the draws are made once per account-day and once per post;
a post's row is rendered once, only its metrics are computed per observation; and each day's file
is written by its own COPY, two at a time. (One partitioned COPY per table over a materialized
table of every observation took 13 minutes for a year of 10,000 accounts.)

Entities this module does not generate (e.g. follower_samples, comment_samples) are landed as
empty partitions and listed in the manifest, and a column it does not know is landed as null,
so a landing_schema change never breaks the bench.
"""

from __future__ import annotations

import json
import math
import os
import queue
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import pyarrow as pa

from kolpipe.core import fields
from kolpipe.core.paths import PLATFORMS
from kolpipe.extract.base import POST_WINDOW_DAYS
from kolpipe_tools.sandbox import world as world_model
from kolpipe_tools.sandbox.world import World

# Bump when the generated data changes, so cached landings are regenerated.
GENERATOR_VERSION = 2
GENERATED_ENTITIES = ("accounts", "posts", "post_metrics")
MAX_POSTS_PER_DAY = 8  # Poisson(1.2) exceeds 8 with probability < 1e-5


@dataclass(frozen=True)
class WorldSize:
    accounts: int
    days: int
    end: date
    seed: int = 7

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def key(self) -> str:
        return (f"landing-{self.accounts}a-{self.days}d-{self.end.isoformat()}-s{self.seed}"
                f"-g{GENERATOR_VERSION}")


def world_accounts(size: WorldSize) -> list[world_model.Account]:
    """The first `size.accounts` accounts of the sandbox world (whole KOLs, then trimmed)."""
    kols = max(1, math.ceil(size.accounts / 2.4))
    accounts = World(kols, size.seed).accounts
    while len(accounts) < size.accounts:
        kols = math.ceil(kols * 1.1)
        accounts = World(kols, size.seed).accounts
    return accounts[:size.accounts]


def _accounts_table(accounts: list[world_model.Account]) -> pa.Table:
    def day_of(problem: str, account: world_model.Account) -> int | None:
        when = account.problems.get(problem)
        return None if when is None else world_model._day(when)

    rows = []
    for n, a in enumerate(accounts):
        tags = world_model.LANGUAGES[a.language][1]
        rows.append({
            "n": n, "kol_id": a.kol_id, "platform": a.platform, "user_id": a.user_id,
            "handle": a.handle, "old_handle": a.old_handle,
            "renamed_day": day_of("renamed_handle", a), "display_name": a.display_name,
            "bio": a.bio, "language": a.language, "niche": a.niche,
            "created_day": world_model._day(a.created_on),
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
        split = world_model.ENGAGEMENT_SPLIT[platform]
        media = world_model.MEDIA_TYPES[platform]
        rows.append({"platform": platform, "split_likes": split[0], "split_comments": split[1],
                     "split_shares": split[2], "split_saves": split[3], "media_types": list(media)})
    return pa.Table.from_pylist(rows)


# Uniform [0, 1) and standard normal draws from a hash: deterministic and order-free. The purpose
# is hashed apart, so the optimizer folds it into a constant: hashing the purpose string on every
# row made each draw about three times dearer. The outer hash mixes the result: DuckDB's
# multi-argument hash leaves its last argument poorly mixed, and without it two purposes' draws
# of one post were correlated (-0.5: 20% of posts sponsored instead of 12%, Instagram images
# half as frequent as carousels).
MACROS = """
create or replace macro draw(a, b, c, purpose) as
    (hash(hash(a, b, c, hash(purpose))) >> 11) / 9007199254740992.0;
create or replace macro gauss(a, b, c, purpose) as
    sqrt(-2 * ln(greatest(draw(a, b, c, purpose || ':r'), 1e-12)))
    * cos(2 * pi() * draw(a, b, c, purpose || ':t'));
"""

# One row per account per day it exists, with the values of world.Account that change daily
# (only those: the account's own columns are joined back in ACCOUNT_SNAPSHOTS).
ACCOUNT_DAYS = """
create or replace table account_days as
with days as (
    select unnest(generate_series({first_day}, {last_day})) as day
), joined as (
    select a.n, a.posts_per_day, a.dormant_day, days.day,
        case when a.dormant_day is not null and days.day > a.dormant_day
            then a.followers_at_reference * exp(a.daily_growth * a.dormant_day)
                 * greatest(0.5, 1.0 - 0.0004 * (days.day - a.dormant_day))
            else a.followers_at_reference * exp(a.daily_growth * days.day)
        end as organic_followers,
        case when a.spike_day is not null and days.day >= a.spike_day
            then a.spike_size * (0.6 + 0.4 * exp(-(days.day - a.spike_day) / 15.0))
            else 0.0
        end as bought_followers
    from accounts a cross join days
    where days.day >= a.created_day and (a.churned_day is null or days.day < a.churned_day)
)
select n, day, posts_per_day, dormant_day, organic_followers,
    greatest(0, round(organic_followers * (1.0 + 0.0015 * gauss(n, day, 0, 'followers'))
                      + bought_followers))::bigint as followers,
    draw(n, day, 0, 'post_count') as post_count_draw
from joined
"""

# One row per published post, drawn as world.Account.posts_published_on draws them, with the
# last day the extractors observe it: they re-observe a post daily for the window, while the
# account answers (not churned, not private) and the post is not deleted.
POSTS = """
create or replace table posts as
with counted as (
    select d.n, d.day, d.organic_followers, c.post_index
    from account_days d
    join poisson c on c.rate = d.posts_per_day and d.post_count_draw > c.cdf
    where d.dormant_day is null or d.day < d.dormant_day
), drawn as (
    select counted.*, a.platform, a.user_id, a.language, a.niche, a.tag_1, a.tag_2,
        a.hidden_likes, a.private_day, a.churned_day, a.bought_likes_day,
        p.split_likes, p.split_comments, p.split_shares, p.split_saves, p.media_types,
        draw(n, day, post_index, 'sponsored') < 0.12 as is_sponsored,
        a.engagement_rate * exp(0.35 * gauss(n, day, post_index, 'rate'))
            * case when draw(n, day, post_index, 'viral') < 0.02 then 8 else 1 end as rate,
        case when draw(n, day, post_index, 'deleted') < 0.01
            then day + 1 + floor(draw(n, day, post_index, 'deleted_on') * 20)::integer
        end as deleted_day,
        hash(n, day, post_index, hash('post_id')) as id_hash,
        day * 86400 + 21600 + floor(draw(n, day, post_index, 'second') * 61200)::bigint
            as published_second
    from counted join accounts a using (n) join platform_constants p using (platform)
)
select
    n, platform, user_id as account_user_id, language, day as published_day, post_index,
    hidden_likes,
    case when platform = 'youtube' then substr(md5(id_hash::varchar), 1, 11)
        else (100000000000000000 + (id_hash % 9) * 10000000000000000
              + id_hash % 10000000000000000)::varchar
    end as post_id,
    published_second,
    timestamptz '{reference} 00:00:00+00' + to_seconds(published_second) as published_at,
    niche || ' ' || ['tips', 'review', 'day', 'q&a', 'story'][
        1 + floor(draw(n, day, post_index, 'caption') * 5)::integer] || ' #' || niche
        || case when is_sponsored then ' ' || case when draw(n, day, post_index, 'tag') < 0.5
            then tag_1 else tag_2 end else '' end as caption,
    media_types[1 + floor(draw(n, day, post_index, 'media') * len(media_types))::integer]
        as media_type,
    is_sponsored,
    least(day + {window} - 1, private_day - 1, churned_day - 1, deleted_day - 1)
        as last_observed_day,
    organic_followers * rate as final_engagements,
    organic_followers * rate * (8 + 12 * draw(n, day, post_index, 'views')) as final_views,
    coalesce(day >= bought_likes_day, false) as likes_bought,
    split_likes, split_comments, split_shares, split_saves
from drawn
"""

# The posts of one platform the extractors observe on {day}: those published in the window
# before it and still observed (see POSTS).
OBSERVED_ON_DAY = ("published_day between {day} - {window} + 1 and {day} "
                   "and last_observed_day >= {day}")

# Each account's daily snapshot of world.Account on one platform, from {first_day} on.
ACCOUNT_SNAPSHOTS = """
select a.*, d.day, d.followers,
    (a.following + case when d.day > 0 then floor(d.day * 0.3) else 0 end)::bigint
        as following_now,
    coalesce(d.day >= a.private_day, false) as is_private,
    case when a.renamed_day is not null and d.day < a.renamed_day then a.old_handle
        else a.handle end as handle_now
from account_days d join accounts a using (n)
where a.platform = '{platform}' and d.day >= {first_day}
"""

# The day's observation of each post of one platform, its metrics matured as
# world.Account.metrics_on matures them. The post's age comes from its publication second as a
# number: taken from the timestamps (epoch of an interval), it cost five times the whole rest of
# the arithmetic.
POST_OBSERVATIONS = """
with observed as (
    select *, 1.0 - exp(-greatest(0.0, (({day} + 1) * 86400 - published_second) / 86400.0)
                        / 1.2) as matured
    from posts_{platform}
    where {observed}
)
select *,
    round(final_engagements * matured * split_likes
          * case when likes_bought then 6 else 1 end)::bigint as likes,
    round(final_engagements * matured * split_comments)::bigint as comments,
    round(final_engagements * matured * split_shares)::bigint as shares,
    round(final_engagements * matured * split_saves)::bigint as saves,
    round(final_views * matured)::bigint as views
from observed
"""

# The platform-native columns of each generated entity, as SQL over ACCOUNT_SNAPSHOTS
# (accounts), posts (posts) or POST_OBSERVATIONS (post_metrics). YouTube subscriber counts keep
# three significant figures, like the API.
YOUTUBE_ROUNDED = ("case when followers < 1000 then followers else (followers // "
                   "(10 ** (length(followers::varchar) - 3))::bigint) * "
                   "(10 ** (length(followers::varchar) - 3))::bigint end")
CREATED_AT = "timestamptz '{reference} 00:00:00+00' + to_days(created_day)"
NATIVE_SQL: dict[str, dict[str, dict[str, str]]] = {
    "instagram": {
        "accounts": {"username": "handle_now", "name": "display_name", "biography": "bio",
                     "website": "null", "followers_count": "followers",
                     "follows_count": "following_now", "media_count": "40"},
        "posts": {"id": "post_id", "timestamp": "published_at", "caption": "caption",
                  "media_type": "media_type",
                  "media_product_type":
                      "case when media_type = 'VIDEO' then 'REELS' else 'FEED' end",
                  "permalink": "'https://www.instagram.com/p/' || post_id || '/'"},
        "post_metrics": {"id": "post_id",
                         "like_count": "case when not hidden_likes then likes end",
                         "comments_count": "comments",
                         "view_count": "case when media_type = 'VIDEO' then views end"},
    },
    "youtube": {
        "accounts": {"title": "display_name", "custom_url": "'@' || handle_now",
                     "description": "bio", "published_at": CREATED_AT,
                     "subscriber_count":
                         f"case when not hidden_subscribers then {YOUTUBE_ROUNDED} end",
                     "hidden_subscriber_count": "hidden_subscribers",
                     "view_count": f"{YOUTUBE_ROUNDED} * 120", "video_count": "120",
                     "uploads_playlist_id": "'UU' || substr(user_id, 3)"},
        "posts": {"id": "post_id", "published_at": "published_at", "title": "caption",
                  "description": "caption", "has_paid_product_placement": "is_sponsored"},
        "post_metrics": {"id": "post_id", "view_count": "views", "like_count": "likes",
                         "comment_count": "comments"},
    },
    "tiktok": {
        "accounts": {"username": "handle_now", "display_name": "display_name",
                     "bio_description": "bio", "is_verified": "false",
                     "follower_count": "followers", "following_count": "following_now",
                     "likes_count": "followers * 3", "video_count": "80"},
        "posts": {"id": "post_id", "create_time": "published_at",
                  "video_description": "caption", "region_code": "'US'",
                  "hashtag_names": "array_to_string(list_transform(list_filter("
                                   "string_split(caption, ' '), lambda w: w[1] = '#'), "
                                   "lambda w: w[2:]), ',')"},
        "post_metrics": {"id": "post_id", "view_count": "views", "like_count": "likes",
                         "comment_count": "comments", "share_count": "shares"},
    },
    "x": {
        "accounts": {"username": "handle_now", "name": "display_name", "description": "bio",
                     "created_at": CREATED_AT, "protected": "is_private",
                     "followers_count": "followers", "following_count": "following_now",
                     "tweet_count": "500", "listed_count": "3"},
        "posts": {"id": "post_id", "created_at": "published_at", "text": "caption",
                  "lang": "language"},
        "post_metrics": {"id": "post_id", "like_count": "likes", "reply_count": "comments",
                         "retweet_count": "shares", "quote_count": "saves // 2",
                         "bookmark_count": "saves - saves // 2", "impression_count": "views"},
    },
    "weibo": {
        "accounts": {"screen_name": "handle_now", "name": "display_name",
                     "description": "bio", "created_at": CREATED_AT,
                     "followers_count": "followers", "friends_count": "following_now",
                     "statuses_count": "300", "verified": "false"},
        "posts": {"id": "post_id", "created_at": "published_at", "text": "caption",
                  "source": "'sandbox'"},
        "post_metrics": {"id": "post_id", "reposts_count": "shares",
                         "comments_count": "comments", "attitudes_count": "likes"},
    },
}


def _duckdb_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz"
    return {pa.string(): "varchar", pa.int64(): "bigint", pa.bool_(): "boolean",
            pa.float64(): "double", pa.date32(): "date"}[arrow_type]


def _landing_columns(platform: str, entity: str,
                     reference: date) -> tuple[dict[str, str], list[str]]:
    """The account_id, native and raw_payload columns of one entity as typed SQL over its
    source, by name (the caller adds logical_date and extracted_at, constants on each day), and
    the schema columns this generator does not know (landed as null)."""
    native = NATIVE_SQL[platform][entity]
    columns, unknown, payload = {}, [], []
    for field in fields.schema(platform, entity):
        if field.name in ("logical_date", "extracted_at"):
            continue
        if field.name == "account_id":
            expression = "user_id" if entity == "accounts" else "account_user_id"
        elif field.name == "raw_payload":
            expression = "json_object(" + ", ".join(payload) + ")::varchar"
        elif field.name in native:
            expression = native[field.name].replace("{reference}", reference.isoformat())
            payload += [f"'{field.name}'", expression]
        else:
            expression, _ = "null", unknown.append(field.name)
        columns[field.name] = f"cast({expression} as {_duckdb_type(field.type)})"
    return columns, unknown


def platform_tables(platform: str, reference: date, first_day: int) -> list[str]:
    """The statements preparing one platform's tables for the daily writes, each sorted by day
    so a day's query reads only the row groups around that day:
    - posts_<platform>: its posts observed from first_day on, with what their metrics need;
    - post_rows_<platform>: their posts-entity columns, rendered once per post: the extractors
      land a post's row unchanged on each day they observe it, so rendering (the caption,
      permalink and raw_payload strings) once instead of per observation saves the window's
      worth of string building;
    - account_rows_<platform>: the accounts entity's columns for every day (rendered in one
      statement: one join per day cost a few milliseconds a day of planning and hashing)."""
    def rendered(entity: str) -> str:
        columns, _ = _landing_columns(platform, entity, reference)
        return ", ".join(f'{expression} as "{name}"' for name, expression in columns.items())

    snapshots = ACCOUNT_SNAPSHOTS.format(platform=platform, first_day=first_day)
    return [
        f"create or replace table posts_{platform} as select * from posts "
        f"where platform = '{platform}' and last_observed_day >= {first_day} "
        f"order by published_day",
        f"create or replace table post_rows_{platform} as "
        f"select published_day, last_observed_day, {rendered('posts')} from posts_{platform} "
        f"order by published_day",
        # Private accounts land no snapshot, except on X, which answers with protected = true
        # (their posts are not observed: see POSTS).
        f"create or replace table account_rows_{platform} as "
        f"select day, {rendered('accounts')} from ({snapshots}) "
        f"where not is_private or platform = 'x' order by day",
    ]


def entity_select(platform: str, entity: str,
                  reference: date) -> tuple[Callable[[int], str], list[str]]:
    """The SELECT that lands one entity on one day (by its day number from the reference
    date) in its exact landing schema, over the tables of platform_tables; and the schema
    columns this generator does not know (landed as null)."""
    columns, unknown = _landing_columns(platform, entity, reference)
    if entity != "post_metrics":  # rendered in platform_tables
        columns = {name: f'"{name}"' for name in columns}
    names = fields.schema(platform, entity).names

    def select_on(day: int) -> str:
        logical_date = reference + timedelta(days=day)
        audit = {"logical_date": f"date '{logical_date}'",
                 "extracted_at": f"timestamptz '{logical_date + timedelta(days=1)} 00:00:00+00'"}
        expressions = ", ".join(f'{columns.get(name) or audit[name]} as "{name}"'
                                for name in names)
        observed = OBSERVED_ON_DAY.format(day=day, window=POST_WINDOW_DAYS)
        source = {
            "accounts": f"account_rows_{platform} where day = {day}",
            "posts": f"post_rows_{platform} where {observed}",
            "post_metrics": "(" + POST_OBSERVATIONS.format(day=day, platform=platform,
                                                           observed=observed) + ")",
        }[entity]
        return f"select {expressions} from {source}"

    return select_on, unknown


# Level 1 instead of zstd's default 3: about a third less CPU on these day-sized files, which
# come out no larger.
PARQUET_OPTIONS = "format parquet, compression zstd, compression_level 1"


class _DailyWriter:
    """Writes one Parquet file per day, <target>/dt=YYYY-MM-DD/part-0.parquet, one COPY per day
    on `threads` cursors at once: two cursors writing alternate days keep both cores busy.
    Measured against one COPY ... PARTITION_BY (dt) per table, the partitioned write spent
    1.3 times the CPU of the same rows written day by day (a year of Instagram posts, 8.3M
    rows), 1.8 times on the smaller files of a 60-day landing."""

    def __init__(self, con, threads: int, reference: date):
        self.reference = reference
        # DuckDB writes a column as REQUIRED when the statistics prove it holds no null, so a
        # day's schema would follow its data (like_count REQUIRED on a day without hidden
        # likes), where landing_schema declares every field nullable. Without the statistics
        # every column is written OPTIONAL. (The setting is database-wide, hence made only
        # once the tables are built.)
        con.execute("set disabled_optimizers = 'statistics_propagation'")
        self.cursors: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(max(1, threads)):
            self.cursors.put(con.cursor())
        self.pool = ThreadPoolExecutor(max(1, threads))

    def write(self, select_on: Callable[[int], str], target: Path, days: range) -> int:
        """Returns the rows written."""
        def write_day(day: int) -> int:
            partition = target / f"dt={self.reference + timedelta(days=day)}"
            partition.mkdir(parents=True, exist_ok=True)
            cursor = self.cursors.get()
            try:
                return cursor.execute(f"copy ({select_on(day)}) to "
                                      f"'{partition / 'part-0.parquet'}' ({PARQUET_OPTIONS})"
                                      ).fetchone()[0]
            finally:
                self.cursors.put(cursor)

        return sum(self.pool.map(write_day, days))

    def close(self) -> None:
        self.pool.shutdown()
        while not self.cursors.empty():
            self.cursors.get().close()


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
    reference = world_model.REFERENCE_DATE
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
    writer = _DailyWriter(con, threads, reference)
    try:
        for platform in PLATFORMS:
            for entity in fields.NATIVE_FIELDS[platform]:
                if entity not in GENERATED_ENTITIES:
                    # Landed as empty partitions, as an extractor that found nothing lands them,
                    # so dbt sources over the entity still resolve.
                    skipped.append(f"{platform}/{entity}")
                    _write_empty_partitions(staging / "raw" / platform / entity,
                                            fields.schema(platform, entity), size)
                    continue
                name = f"{platform}/{entity}"
                select_on, unknown = entity_select(platform, entity, reference)
                if unknown:
                    null_columns[name] = unknown
                counts[name] = writer.write(select_on, staging / "raw" / platform / entity, days)
                progress(f"generate: {name}: {counts[name]:,} rows "
                         f"({time.monotonic() - started:.1f}s)")
        counts["registry/accounts"] = _write_registry(con, writer, accounts, days, staging)
    finally:
        writer.close()
    for platform in PLATFORMS:
        _write_empty_partitions(staging / "quarantine" / platform,
                                fields.QUARANTINE_SCHEMA, size)
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


def _write_registry(con, writer: _DailyWriter, accounts: list[world_model.Account],
                    days: range, root: Path) -> int:
    """The registry snapshot landed every day, as extract.land_registry lands it."""
    rows = [{"kol_id": a.kol_id, "display_name": a.display_name.split(" ·")[0],
             "niche": a.niche, "language": a.language, "platform": a.platform,
             "account_id": a.user_id, "handle": a.old_handle or a.handle} for a in accounts]
    con.register("registry_arrow", pa.Table.from_pylist(rows))
    con.execute("create table registry as select * from registry_arrow")
    columns = ", ".join(f.name for f in fields.REGISTRY_SCHEMA
                        if f.name != "logical_date")

    def select_on(day: int) -> str:
        return (f"select {columns}, date '{writer.reference + timedelta(days=day)}' "
                f"as logical_date from registry")

    return writer.write(select_on, root / "raw" / "registry" / "accounts", days)


def _write_empty_partitions(table_dir: Path, schema: pa.Schema, size: WorldSize) -> None:
    """One empty partition per day (hard links to one file: they are identical)."""
    import pyarrow.parquet as pq

    first = table_dir / f"dt={size.start.isoformat()}" / "part-0.parquet"
    first.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(schema.empty_table(), first, compression="zstd")
    for offset in range(1, size.days):
        day = size.start + timedelta(days=offset)
        target = table_dir / f"dt={day.isoformat()}" / "part-0.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(first, target)


def cached_landing(size: WorldSize, cache_dir: Path, progress: Callable[[str], None] = print,
                   memory_limit: str = "6GB") -> tuple[Path, dict, bool]:
    """The generated landing for `size`, generated once per parameters and generator version.
    Returns (root, manifest, was_cached)."""
    root = cache_dir / size.key
    manifest_file = root / "manifest.json"
    if manifest_file.exists():
        return root, json.loads(manifest_file.read_text()), True
    return root, generate(size, root, progress, memory_limit), False
