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

# Where each landed column is read from in the platform's API item (a dotted path; the
# clients in kolpipe.extract read these, the sandbox serves them, and tests check both against
# this table). Columns not read from the item are in FROM_OUTSIDE_ITEM.
API_FIELDS: dict[str, dict[str, dict[str, str]]] = {
    "instagram": {  # Business Discovery: the user node, and each item of its media edge
        "accounts": {"username": "username", "name": "name", "biography": "biography",
                     "website": "website", "followers_count": "followers_count",
                     "follows_count": "follows_count", "media_count": "media_count"},
        "posts": {"id": "id", "timestamp": "timestamp", "caption": "caption",
                  "media_type": "media_type", "media_product_type": "media_product_type",
                  "permalink": "permalink"},
        "post_metrics": {"id": "id", "like_count": "like_count",
                         "comments_count": "comments_count", "view_count": "view_count"},
    },
    "youtube": {  # channels.list, videos.list and commentThreads.list items
        "accounts": {"title": "snippet.title", "custom_url": "snippet.customUrl",
                     "description": "snippet.description",
                     "published_at": "snippet.publishedAt",
                     "subscriber_count": "statistics.subscriberCount",
                     "hidden_subscriber_count": "statistics.hiddenSubscriberCount",
                     "view_count": "statistics.viewCount",
                     "video_count": "statistics.videoCount",
                     "uploads_playlist_id": "contentDetails.relatedPlaylists.uploads"},
        "posts": {"id": "id", "published_at": "snippet.publishedAt", "title": "snippet.title",
                  "description": "snippet.description",
                  "has_paid_product_placement":
                      "paidProductPlacementDetails.hasPaidProductPlacement"},
        "post_metrics": {"id": "id", "view_count": "statistics.viewCount",
                         "like_count": "statistics.likeCount",
                         "comment_count": "statistics.commentCount"},
        "comment_samples": {
            "id": "id", "video_id": "snippet.videoId",
            "author_channel_id": "snippet.topLevelComment.snippet.authorChannelId.value",
            "author_display_name": "snippet.topLevelComment.snippet.authorDisplayName",
            "text_original": "snippet.topLevelComment.snippet.textOriginal",
            "like_count": "snippet.topLevelComment.snippet.likeCount",
            "total_reply_count": "snippet.totalReplyCount",
            "published_at": "snippet.topLevelComment.snippet.publishedAt"},
    },
    "tiktok": {  # Research API: user/info data, video/query videos, followers, comments
        "accounts": {"display_name": "display_name", "bio_description": "bio_description",
                     "is_verified": "is_verified", "follower_count": "follower_count",
                     "following_count": "following_count", "likes_count": "likes_count",
                     "video_count": "video_count"},
        "posts": {"id": "id", "create_time": "create_time",
                  "video_description": "video_description", "region_code": "region_code",
                  "hashtag_names": "hashtag_names"},
        "post_metrics": {"id": "id", "view_count": "view_count", "like_count": "like_count",
                         "comment_count": "comment_count", "share_count": "share_count"},
        "follower_samples": {"username": "username", "display_name": "display_name"},
        "comment_samples": {"id": "id", "video_id": "video_id", "text": "text",
                            "like_count": "like_count", "reply_count": "reply_count",
                            "parent_comment_id": "parent_comment_id",
                            "create_time": "create_time"},
    },
    "x": {  # API v2 user and post objects (public_metrics), replies from recent search
        "accounts": {"username": "username", "name": "name", "description": "description",
                     "created_at": "created_at", "protected": "protected",
                     "followers_count": "public_metrics.followers_count",
                     "following_count": "public_metrics.following_count",
                     "tweet_count": "public_metrics.tweet_count",
                     "listed_count": "public_metrics.listed_count"},
        "posts": {"id": "id", "created_at": "created_at", "text": "text", "lang": "lang"},
        "post_metrics": {"id": "id", "like_count": "public_metrics.like_count",
                         "reply_count": "public_metrics.reply_count",
                         "retweet_count": "public_metrics.retweet_count",
                         "quote_count": "public_metrics.quote_count",
                         "bookmark_count": "public_metrics.bookmark_count",
                         "impression_count": "public_metrics.impression_count"},
        "follower_samples": {"id": "id", "username": "username", "name": "name",
                             "description": "description", "url": "url",
                             "profile_image_url": "profile_image_url",
                             "protected": "protected", "created_at": "created_at",
                             "followers_count": "public_metrics.followers_count",
                             "following_count": "public_metrics.following_count",
                             "tweet_count": "public_metrics.tweet_count"},
        "comment_samples": {"id": "id", "conversation_id": "conversation_id",
                            "author_id": "author_id", "text": "text",
                            "created_at": "created_at"},
    },
    "weibo": {  # Open API user, status and comment objects
        "accounts": {"screen_name": "screen_name", "name": "name",
                     "description": "description", "created_at": "created_at",
                     "followers_count": "followers_count", "friends_count": "friends_count",
                     "statuses_count": "statuses_count", "verified": "verified"},
        "posts": {"id": "idstr", "created_at": "created_at", "text": "text",
                  "source": "source"},
        "post_metrics": {"id": "idstr", "reposts_count": "reposts_count",
                         "comments_count": "comments_count",
                         "attitudes_count": "attitudes_count"},
        "follower_samples": {"id": "idstr", "screen_name": "screen_name", "name": "name",
                             "description": "description", "url": "url",
                             "profile_image_url": "profile_image_url",
                             "created_at": "created_at", "followers_count": "followers_count",
                             "friends_count": "friends_count",
                             "statuses_count": "statuses_count", "verified": "verified"},
        "comment_samples": {"id": "idstr", "status_id": "status.idstr", "user_id": "user.idstr",
                            "user_screen_name": "user.screen_name", "text": "text",
                            "created_at": "created_at"},
    },
}
# Landed columns that do not come from the API item itself.
FROM_OUTSIDE_ITEM = {
    ("tiktok", "accounts", "username"): "the registry's handle (user/info is asked by it)",
    ("x", "comment_samples", "author_username"): "includes.users[].username of the page",
}
# What the API items carry (as the sandbox serves them) that is deliberately not landed, by the
# entity whose item carries it (posts for the item posts and post_metrics share). The item's
# own id is the registry's account_id, or an id the entity lands under another name.
NOT_LANDED: dict[str, dict[str, tuple[str, ...]]] = {
    "instagram": {"accounts": ("id",)},  # media: the posts entities
    "youtube": {
        "accounts": ("id", "kind"),
        "posts": ("kind", "snippet.channelId"),
        "comment_samples": (
            "kind", "snippet.canReply", "snippet.channelId", "snippet.isPublic",
            "snippet.topLevelComment.id", "snippet.topLevelComment.kind",
            "snippet.topLevelComment.snippet.authorChannelUrl",
            "snippet.topLevelComment.snippet.canRate",
            "snippet.topLevelComment.snippet.channelId",
            "snippet.topLevelComment.snippet.textDisplay",
            "snippet.topLevelComment.snippet.updatedAt",
            "snippet.topLevelComment.snippet.videoId",
            "snippet.topLevelComment.snippet.viewerRating"),
    },
    "tiktok": {"accounts": ("avatar_url",), "posts": ("username",)},
    "x": {"accounts": ("id", "public_metrics.like_count"), "posts": ("edit_history_tweet_ids",),
          "follower_samples": ("public_metrics.like_count", "public_metrics.listed_count"),
          "comment_samples": ("edit_history_tweet_ids",)},
    "weibo": {"accounts": ("id", "idstr"), "posts": ("id",), "follower_samples": ("id",),
              "comment_samples": ("id", "source", "status.id", "user.id")},
}


def requested_fields(platform: str, *entities: str) -> set[str]:
    """The top-level API fields the entities' landed columns are read from: what a client's
    field list (X user.fields, TikTok fields, YouTube parts, Instagram fields) must ask for."""
    return {path.split(".")[0] for entity in entities
            for path in API_FIELDS[platform][entity].values()}


def check_requested(platform: str, requested: str, *entities: str,
                    returned_anyway: tuple[str, ...] = ()) -> str:
    """The client's field list (comma-separated), checked when the client is imported: it
    fails loudly when the list misses a field the entities' landed columns are read from.
    `returned_anyway`: the fields the API returns unasked (X's id and text, for example)."""
    missing = (requested_fields(platform, *entities) - set(requested.split(","))
               - set(returned_anyway))
    if missing:
        raise ValueError(f"{platform} {'/'.join(entities)}: the request does not ask for "
                         f"{sorted(missing)}, which the landing schema reads (core/fields.py)")
    return requested


def _check_api_fields() -> None:
    for platform, entities_ in NATIVE_FIELDS.items():
        for entity, columns in entities_.items():
            sourced = set(API_FIELDS[platform][entity]) | {
                column for p, e, column in FROM_OUTSIDE_ITEM if (p, e) == (platform, entity)}
            if sourced != {name for name, _ in columns}:
                raise ValueError(f"core/fields.py: {platform}/{entity}: the landed columns and "
                                 f"their API_FIELDS sources differ: "
                                 f"{sorted(sourced ^ {name for name, _ in columns})}")


_check_api_fields()

# Entities every platform lands, and the samples only some platforms' APIs expose.
ENTITIES = ("accounts", "posts", "post_metrics")
SAMPLE_ENTITIES = ("follower_samples", "comment_samples")
# First-party data a creator grants (docs/access.md), in one long shape on every platform that
# has it: each metric under the platform's own name, staged into columns by dbt.
CREATOR_ENTITIES = ("creator_insights", "audience_demographics")
CREATOR_PLATFORMS = ("instagram", "youtube")
CREATOR_FIELDS = {
    # post_id null: the account's metric for metric_date; else the post's lifetime value
    # as observed that day. period is the platform's (day, lifetime, days_28).
    "creator_insights": [("post_id", STRING), ("metric_date", pa.date32()),
                         ("period", STRING), ("metric", STRING), ("value", INT)],
    # value as the platform gives it: a count (unit followers or views) or a percentage.
    "audience_demographics": [("dimension", STRING), ("bucket", STRING), ("value", FLOAT),
                              ("unit", STRING)],
}


def entities(platform: str) -> tuple[str, ...]:
    """The entities a platform lands, in landing order."""
    return (ENTITIES + tuple(e for e in SAMPLE_ENTITIES if e in NATIVE_FIELDS[platform])
            + (CREATOR_ENTITIES if platform in CREATOR_PLATFORMS else ()))


# The registry as landed, the quarantine, and the account-days a run did not observe (an
# account error, or every account a stopped platform did not reach; see land.py).
REGISTRY_SCHEMA = pa.schema([
    ("kol_id", STRING), ("display_name", STRING), ("niche", STRING), ("language", STRING),
    ("platform", STRING), ("account_id", STRING), ("handle", STRING), ("access", STRING),
    ("logical_date", pa.date32())])
QUARANTINE_SCHEMA = pa.schema([
    ("platform", STRING), ("entity", STRING), ("account_id", STRING), ("reason", STRING),
    ("logical_date", pa.date32()), ("extracted_at", TIMESTAMP), ("raw_payload", STRING)])
GAP_SCHEMA = pa.schema([
    ("platform", STRING), ("kol_id", STRING), ("account_id", STRING), ("handle", STRING),
    ("kind", STRING), ("message", STRING), ("logical_date", pa.date32()),
    ("recorded_at", TIMESTAMP), ("platform_failed", pa.bool_()),
    ("first_party_only", pa.bool_())])


def schema(platform: str, entity: str) -> pa.Schema:
    native = CREATOR_FIELDS.get(entity) or NATIVE_FIELDS[platform][entity]
    return pa.schema(AUDIT[:1] + native + AUDIT[1:])
