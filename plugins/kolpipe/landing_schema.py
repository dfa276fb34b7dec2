"""The typed schema of every landed table, declared once.

Each platform lands three entities with the platform's own field names (snake_case), so that
platform differences stay in the client and in the staging models. Every table also carries
the audit columns: the registry's account_id the row was requested for, the logical date, the
extraction time and the raw payload item as JSON.
"""

from __future__ import annotations

import pyarrow as pa

STRING, INT, BOOL, FLOAT = pa.string(), pa.int64(), pa.bool_(), pa.float64()
TIMESTAMP = pa.timestamp("us", tz="UTC")

AUDIT = [
    ("account_id", STRING),
    ("logical_date", pa.date32()),
    ("extracted_at", TIMESTAMP),
    ("raw_payload", STRING),
]

# Nullable counts: null means "not returned" or "hidden by the account"; 0 means zero.
NATIVE_FIELDS: dict[str, dict[str, list[tuple[str, pa.DataType]]]] = {
    "instagram": {
        "accounts": [("username", STRING), ("name", STRING), ("biography", STRING),
                     ("website", STRING), ("followers_count", INT), ("follows_count", INT),
                     ("media_count", INT)],
        "posts": [("id", STRING), ("timestamp", TIMESTAMP), ("caption", STRING),
                  ("media_type", STRING), ("media_product_type", STRING), ("permalink", STRING)],
        "post_metrics": [("id", STRING), ("like_count", INT), ("comments_count", INT),
                         ("view_count", INT)],
    },
    "youtube": {
        "accounts": [("title", STRING), ("custom_url", STRING), ("description", STRING),
                     ("published_at", TIMESTAMP), ("subscriber_count", INT),
                     ("hidden_subscriber_count", BOOL), ("view_count", INT),
                     ("video_count", INT), ("uploads_playlist_id", STRING)],
        "posts": [("id", STRING), ("published_at", TIMESTAMP), ("title", STRING),
                  ("description", STRING), ("has_paid_product_placement", BOOL)],
        "post_metrics": [("id", STRING), ("view_count", INT), ("like_count", INT),
                         ("comment_count", INT)],
    },
    "tiktok": {
        "accounts": [("username", STRING), ("display_name", STRING), ("bio_description", STRING),
                     ("is_verified", BOOL), ("follower_count", INT), ("following_count", INT),
                     ("likes_count", INT), ("video_count", INT)],
        "posts": [("id", STRING), ("create_time", TIMESTAMP), ("video_description", STRING),
                  ("region_code", STRING), ("hashtag_names", STRING)],
        "post_metrics": [("id", STRING), ("view_count", INT), ("like_count", INT),
                         ("comment_count", INT), ("share_count", INT)],
    },
    "x": {
        "accounts": [("username", STRING), ("name", STRING), ("description", STRING),
                     ("created_at", TIMESTAMP), ("protected", BOOL), ("followers_count", INT),
                     ("following_count", INT), ("tweet_count", INT), ("listed_count", INT)],
        "posts": [("id", STRING), ("created_at", TIMESTAMP), ("text", STRING), ("lang", STRING)],
        "post_metrics": [("id", STRING), ("like_count", INT), ("reply_count", INT),
                         ("retweet_count", INT), ("quote_count", INT), ("bookmark_count", INT),
                         ("impression_count", INT)],
    },
    "weibo": {
        "accounts": [("screen_name", STRING), ("name", STRING), ("description", STRING),
                     ("created_at", TIMESTAMP), ("followers_count", INT),
                     ("friends_count", INT), ("statuses_count", INT), ("verified", BOOL)],
        "posts": [("id", STRING), ("created_at", TIMESTAMP), ("text", STRING),
                  ("source", STRING)],
        "post_metrics": [("id", STRING), ("reposts_count", INT), ("comments_count", INT),
                         ("attitudes_count", INT)],
    },
}

ENTITIES = ("accounts", "posts", "post_metrics")

REGISTRY_FIELDS = [("kol_id", STRING), ("display_name", STRING), ("niche", STRING),
                   ("language", STRING), ("platform", STRING), ("account_id", STRING),
                   ("handle", STRING), ("logical_date", pa.date32())]

QUARANTINE_FIELDS = [("platform", STRING), ("entity", STRING), ("account_id", STRING),
                     ("reason", STRING), ("logical_date", pa.date32()),
                     ("extracted_at", TIMESTAMP), ("raw_payload", STRING)]


def schema(platform: str, entity: str) -> pa.Schema:
    return pa.schema(AUDIT[:1] + NATIVE_FIELDS[platform][entity] + AUDIT[1:])


REGISTRY_SCHEMA = pa.schema(REGISTRY_FIELDS)
QUARANTINE_SCHEMA = pa.schema(QUARANTINE_FIELDS)
