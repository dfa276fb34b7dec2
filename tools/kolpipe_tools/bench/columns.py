"""The landed columns of each generated entity: the platform-native columns as SQL over the
generator's tables (world_sql.py), typed and ordered by the landing schema (kolpipe.core.fields),
and the SELECT that lands one entity on one day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

import pyarrow as pa

from kolpipe.core import fields
from kolpipe.extract.base import POST_WINDOW_DAYS
from kolpipe_tools.bench.world_sql import ACCOUNT_SNAPSHOTS, OBSERVED_ON_DAY, POST_OBSERVATIONS
from kolpipe_tools.sandbox import constants as c

# The platform-native columns of each generated entity, as SQL over ACCOUNT_SNAPSHOTS
# (accounts), posts (posts) or POST_OBSERVATIONS (post_metrics). YouTube subscriber counts keep
# three significant figures, like the API.
_DIGITS = c.YOUTUBE_SIGNIFICANT_DIGITS
YOUTUBE_ROUNDED = (f"case when followers < {10 ** _DIGITS} then followers else (followers // "
                   f"(10 ** (length(followers::varchar) - {_DIGITS}))::bigint) * "
                   f"(10 ** (length(followers::varchar) - {_DIGITS}))::bigint end")
CREATED_AT = "timestamptz '{reference} 00:00:00+00' + to_days(created_day)"
NATIVE_SQL: dict[str, dict[str, dict[str, str]]] = {
    "instagram": {
        "accounts": {"username": "handle_now", "name": "display_name", "biography": "bio",
                     "website": "null", "followers_count": "followers",
                     "follows_count": "following_now",
                     # the sandbox adds the posts in its timeline; the bench lands the base
                     "media_count": str(c.INSTAGRAM_MEDIA_COUNT_BASE)},
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
                     "view_count": f"{YOUTUBE_ROUNDED} * {c.YOUTUBE_VIEWS_PER_SUBSCRIBER}",
                     "video_count": str(c.YOUTUBE_VIDEO_COUNT),
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
                     "likes_count": f"followers * {c.TIKTOK_LIKES_PER_FOLLOWER}",
                     "video_count": str(c.TIKTOK_VIDEO_COUNT)},
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
                     "tweet_count": str(c.X_TWEET_COUNT), "listed_count": str(c.X_LISTED_COUNT)},
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
                     "statuses_count": str(c.WEIBO_STATUSES_COUNT), "verified": "false"},
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
