"""The typed schema of every landed table, declared once.

Each platform lands its entities with the platform's own field names (snake_case), so that
platform differences stay in the client and in the staging models: accounts, posts and
post_metrics everywhere; follower_samples and comment_samples where the platform's API exposes
them to a third party (see `entities`). Every table also carries
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
        # No follower or comment samples: Business Discovery exposes neither, and the IG Media
        # comments edge needs a token of the account that owns the media.
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
        # No follower samples: subscriber lists of other channels are not public.
        "comment_samples": [("id", STRING), ("video_id", STRING), ("author_channel_id", STRING),
                            ("author_display_name", STRING), ("text_original", STRING),
                            ("like_count", INT), ("total_reply_count", INT),
                            ("published_at", TIMESTAMP)],
    },
    "tiktok": {
        "accounts": [("username", STRING), ("display_name", STRING), ("bio_description", STRING),
                     ("is_verified", BOOL), ("follower_count", INT), ("following_count", INT),
                     ("likes_count", INT), ("video_count", INT)],
        "posts": [("id", STRING), ("create_time", TIMESTAMP), ("video_description", STRING),
                  ("region_code", STRING), ("hashtag_names", STRING)],
        "post_metrics": [("id", STRING), ("view_count", INT), ("like_count", INT),
                         ("comment_count", INT), ("share_count", INT)],
        # The Research API returns only these two fields per follower.
        "follower_samples": [("username", STRING), ("display_name", STRING)],
        # Research API comments carry no author.
        "comment_samples": [("id", STRING), ("video_id", STRING), ("text", STRING),
                            ("like_count", INT), ("reply_count", INT),
                            ("parent_comment_id", STRING), ("create_time", TIMESTAMP)],
    },
    "x": {
        "accounts": [("username", STRING), ("name", STRING), ("description", STRING),
                     ("created_at", TIMESTAMP), ("protected", BOOL), ("followers_count", INT),
                     ("following_count", INT), ("tweet_count", INT), ("listed_count", INT)],
        "posts": [("id", STRING), ("created_at", TIMESTAMP), ("text", STRING), ("lang", STRING)],
        "post_metrics": [("id", STRING), ("like_count", INT), ("reply_count", INT),
                         ("retweet_count", INT), ("quote_count", INT), ("bookmark_count", INT),
                         ("impression_count", INT)],
        "follower_samples": [("id", STRING), ("username", STRING), ("name", STRING),
                             ("description", STRING), ("url", STRING),
                             ("profile_image_url", STRING), ("protected", BOOL),
                             ("created_at", TIMESTAMP), ("followers_count", INT),
                             ("following_count", INT), ("tweet_count", INT)],
        # Replies found by recent search on the post's conversation_id.
        "comment_samples": [("id", STRING), ("conversation_id", STRING), ("author_id", STRING),
                            ("author_username", STRING), ("text", STRING),
                            ("created_at", TIMESTAMP)],
    },
    "weibo": {
        "accounts": [("screen_name", STRING), ("name", STRING), ("description", STRING),
                     ("created_at", TIMESTAMP), ("followers_count", INT),
                     ("friends_count", INT), ("statuses_count", INT), ("verified", BOOL)],
        "posts": [("id", STRING), ("created_at", TIMESTAMP), ("text", STRING),
                  ("source", STRING)],
        "post_metrics": [("id", STRING), ("reposts_count", INT), ("comments_count", INT),
                         ("attitudes_count", INT)],
        "follower_samples": [("id", STRING), ("screen_name", STRING), ("name", STRING),
                             ("description", STRING), ("url", STRING),
                             ("profile_image_url", STRING), ("created_at", TIMESTAMP),
                             ("followers_count", INT), ("friends_count", INT),
                             ("statuses_count", INT), ("verified", BOOL)],
        "comment_samples": [("id", STRING), ("status_id", STRING), ("user_id", STRING),
                            ("user_screen_name", STRING), ("text", STRING),
                            ("created_at", TIMESTAMP)],
    },
}

# Entities every platform lands, and the samples only some platforms' APIs expose.
ENTITIES = ("accounts", "posts", "post_metrics")
SAMPLE_ENTITIES = ("follower_samples", "comment_samples")


def entities(platform: str) -> tuple[str, ...]:
    """The entities a platform lands, in landing order."""
    return ENTITIES + tuple(e for e in SAMPLE_ENTITIES if e in NATIVE_FIELDS[platform])

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
