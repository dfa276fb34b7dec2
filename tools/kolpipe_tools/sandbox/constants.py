"""Every number of the simulated world, in one place.

The sandbox draws with them in Python (world.py and the modules it is made of) and the bench
formats them into the SQL that generates a year in bulk (kolpipe_tools.bench.world_sql), so a
rate changed here changes both. The Python and the SQL each implement the daily formulas (the
bench cannot afford Python per account-day); tests/test_bench.py checks that the two agree.

Probabilities are per draw (per account, per post or per comment as named); ranges are
(low, high) for uniform draws, inclusive for whole numbers; sigmas are of a normal draw, on a
log scale where they multiply.
"""

from __future__ import annotations

from datetime import date

# The world's day 0: account and post dates are drawn as day numbers from it.
REFERENCE_DATE = date(2026, 1, 1)
DEFAULT_KOLS = 200
DEFAULT_SEED = 7

NICHES = (
    "beauty", "fitness", "tech", "gaming", "food", "travel",
    "finance", "parenting", "pets", "health", "education",
)

# --- KOLs and their accounts ----------------------------------------------------------------
# Share of KOLs present on each platform, and how a KOL's audience scales there.
PLATFORM_PRESENCE = {"instagram": 0.8, "youtube": 0.5, "tiktok": 0.55, "x": 0.45, "weibo": 0.25}
PLATFORM_AUDIENCE = {"instagram": 1.0, "youtube": 0.6, "tiktok": 1.4, "x": 0.5, "weibo": 0.8}
# Audience sizes follow a pyramid: a KOL's scale is 10 ** uniform(range), the wide range (up to
# mega) for a MEGA_TIER_SHARE of KOLs, the nano-to-mid range for the rest; each platform's
# audience is the scale times PLATFORM_AUDIENCE times a log-normal factor.
MEGA_TIER_SHARE = 0.2
MEGA_TIER_LOG10_FOLLOWERS = (2.7, 6.6)
OTHER_TIERS_LOG10_FOLLOWERS = (2.7, 5.0)
PLATFORM_AUDIENCE_SIGMA = 0.5
MIN_FOLLOWERS = 50
# Median engagement rate by followers of a RATE_REFERENCE_FOLLOWERS account; rates fall with
# audience size as (followers / reference) ** RATE_SIZE_EXPONENT, then vary per account.
PLATFORM_BASE_RATE = {"instagram": 0.035, "youtube": 0.045, "tiktok": 0.06, "x": 0.012,
                      "weibo": 0.02}
RATE_REFERENCE_FOLLOWERS = 10_000
RATE_SIZE_EXPONENT = -0.15
ACCOUNT_RATE_SIGMA = 0.3
CREATED_DAYS_BEFORE_REFERENCE = (-300, 1500)
DAILY_GROWTH_MEAN, DAILY_GROWTH_SIGMA = 0.0012, 0.0012
DAILY_GROWTH_RANGE = (-0.002, 0.006)
POSTS_PER_DAY_CHOICES = (0.15, 0.3, 0.5, 0.8, 1.2)
FOLLOWING_RANGE = (50, 1500)
HIDDEN_LIKES_SHARE = 0.05  # Instagram accounts hiding their like counts
HIDDEN_SUBSCRIBERS_SHARE = 0.05  # YouTube channels hiding their subscriber counts

# --- daily dynamics --------------------------------------------------------------------------
FOLLOWER_NOISE = 0.0015  # relative day-to-day noise of the follower count
DORMANT_DECAY_PER_DAY = 0.0004  # followers a dormant account loses a day, down to the floor
DORMANT_FLOOR = 0.5
# A bought batch of followers is partly purged: kept share + purged share * exp(-days / days).
SPIKE_KEPT_SHARE = 0.6
SPIKE_PURGED_SHARE = 0.4
SPIKE_PURGE_DAYS = 15
FOLLOWING_PER_DAY = 0.3  # accounts followed a day after the reference date

# --- posts -----------------------------------------------------------------------------------
POSTING_HOURS = (6, 23)  # posts are published between these hours (UTC)
SPONSORED_SHARE = 0.12
CAPTION_KINDS = ("tips", "review", "day", "q&a", "story")
POST_RATE_SIGMA = 0.35  # a post's engagement rate around the account's
VIRAL_SHARE, VIRAL_MULTIPLE = 0.02, 8
DELETED_SHARE = 0.01  # posts deleted by the account within DELETED_AFTER_DAYS
DELETED_AFTER_DAYS = (1, 20)
VIEWS_PER_ENGAGEMENT = (8, 20)
COMMENT_FACTOR_SIGMA = 0.12  # a post's comments around the account's usual share
MEDIA_TYPES = {
    "instagram": ("IMAGE", "VIDEO", "CAROUSEL_ALBUM"),
    "youtube": ("video",),
    "tiktok": ("video",),
    "x": ("text", "photo", "video"),
    "weibo": ("text", "photo", "video"),
}
# Shares of one post's engagements: likes, comments, shares (reposts), saves (quotes).
ENGAGEMENT_SPLIT = {
    "instagram": (0.9, 0.1, 0.0, 0.0),
    "youtube": (0.92, 0.08, 0.0, 0.0),
    "tiktok": (0.8, 0.08, 0.12, 0.0),
    "x": (0.7, 0.1, 0.15, 0.05),
    "weibo": (0.75, 0.12, 0.13, 0.0),
}
# Engagement matures as 1 - exp(-age / MATURITY_DAYS); a pod's within the first hour.
MATURITY_DAYS = 1.2
POD_MATURITY_DAYS = 0.05
BOUGHT_LIKES_MULTIPLE = 6
RECENT_POST_DAYS = 21  # how far back the sandbox's timelines reach

# --- planted problems ------------------------------------------------------------------------
# One roll per account plants at most one of these: the first whose bound the roll is under
# (shares: follower_spike 5%, fake_audience 4%, bought_likes 3%, dormant 4%, churned 2%,
# private 2%, renamed_handle 3%).
PROBLEM_ROLL_BOUNDS = (("follower_spike", 0.05), ("fake_audience", 0.09), ("bought_likes", 0.12),
                       ("dormant", 0.16), ("churned", 0.18), ("private", 0.20),
                       ("renamed_handle", 0.23))
PROBLEM_START_DAYS = (-60, 330)
SPIKE_SIZES = (1000, 2000, 5000, 10000)  # times one per SPIKE_PER_FOLLOWERS followers
SPIKE_PER_FOLLOWERS = 20000
FAKE_AUDIENCE_RATE_DIVISOR = 8
FAKE_AUDIENCE_FOLLOWING_MULTIPLE = 3
RENAMED_HANDLE_SUFFIX = "_official"
# Chance that an account is planted with each audience and content problem.
AUDIENCE_PROBLEM_RATES = {"engagement_pod": 0.05, "generic_comments": 0.04, "deleted_posts": 0.03,
                          "brand_unsafe": 0.03}
AUDIENCE_PROBLEM_START_DAYS = (-120, 200)
FAKE_FOLLOWER_SHARE = (0.02, 0.10)  # of genuine accounts' followers
FAKE_AUDIENCE_FAKE_FOLLOWER_SHARE = (0.45, 0.75)
# A follower spike adds this share of fakes to the newest followers, fading over the days.
SPIKE_FAKE_FOLLOWER_SHARE, SPIKE_FAKE_FADE_DAYS, MAX_FAKE_FOLLOWER_SHARE = 0.7, 20, 0.95
GENERIC_COMMENT_SHARE = (0.08, 0.22)
COMMENT_SHARE_SIGMA = 0.15
SUPERFAN_CHOICES = (0, 0, 1, 1, 2, 3)
BOUGHT_COMMENT_MULTIPLE = (1.5, 4.0)  # 60-80% of all comments come from the farm
COMMENT_FARM_BOTS = 30
POD_BOOST = (1.0, 2.5)
POD_EXTRA_MEMBERS = (6, 20)
POD_ENGAGEMENT_FACTOR, POD_LIKE_SIGMA = 1.06, 0.04
MIN_POD_SIZE = 4  # rings of 4 to 7
DELETED_POSTS_SHARE, DELETED_POSTS_AFTER_DAYS = 0.35, (2, 6)
UNSAFE_CAPTION_SHARE = 0.3

# --- constant counts the APIs report -----------------------------------------------------------
INSTAGRAM_MEDIA_COUNT_BASE = 40  # plus the posts in the timeline
YOUTUBE_SIGNIFICANT_DIGITS = 3  # public subscriber counts keep three significant figures
YOUTUBE_VIDEO_COUNT = 120
YOUTUBE_VIEWS_PER_SUBSCRIBER = 120
TIKTOK_LIKES_PER_FOLLOWER = 3
TIKTOK_VIDEO_COUNT = 80
X_TWEET_COUNT, X_LISTED_COUNT, X_LIKE_COUNT = 500, 3, 900
WEIBO_STATUSES_COUNT = 300
FOLLOWER_ACCOUNT_AGE_DAYS = 400  # followers' accounts were created this long ago
