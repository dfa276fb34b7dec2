"""The sandbox world's daily formulas in DuckDB SQL, for the bench's bulk generation.

They re-implement world.Account's followers_on, posts_published_on and metrics_on (the bench
cannot afford Python per account-day: see generate.py). Their numbers are not repeated here:
every rate, share, range and multiple is formatted in from kolpipe_tools.sandbox.constants, the
module the sandbox's Python reads, so the two cannot drift apart; tests/test_bench.py runs
these formulas on the world's own posts and accounts and checks they agree with the Python.
The runtime parameters ({first_day}, {day}, {platform}, ...) are filled in per statement.
"""

from __future__ import annotations

from kolpipe_tools.sandbox import constants as c


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


_FIRST_SECOND, _LAST_SECOND = (hour * 3600 for hour in c.POSTING_HOURS)
_VIEWS_LOW, _VIEWS_HIGH = c.VIEWS_PER_ENGAGEMENT
_DELETED_LOW, _DELETED_HIGH = c.DELETED_AFTER_DAYS

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
# (only those: the account's own columns are joined back in ACCOUNT_SNAPSHOTS): followers as
# followers.FollowerDynamics computes them.
ACCOUNT_DAYS = f"""
create or replace table account_days as
with days as (
    select unnest(generate_series({{first_day}}, {{last_day}})) as day
), joined as (
    select a.n, a.posts_per_day, a.dormant_day, days.day,
        case when a.dormant_day is not null and days.day > a.dormant_day
            then a.followers_at_reference * exp(a.daily_growth * a.dormant_day)
                 * greatest({c.DORMANT_FLOOR}, 1.0 - {c.DORMANT_DECAY_PER_DAY} * (days.day - a.dormant_day))
            else a.followers_at_reference * exp(a.daily_growth * days.day)
        end as organic_followers,
        case when a.spike_day is not null and days.day >= a.spike_day
            then a.spike_size * ({c.SPIKE_KEPT_SHARE} + {c.SPIKE_PURGED_SHARE} * exp(-(days.day - a.spike_day) / {float(c.SPIKE_PURGE_DAYS)}))
            else 0.0
        end as bought_followers
    from accounts a cross join days
    where days.day >= a.created_day and (a.churned_day is null or days.day < a.churned_day)
)
select n, day, posts_per_day, dormant_day, organic_followers,
    greatest(0, round(organic_followers * (1.0 + {c.FOLLOWER_NOISE} * gauss(n, day, 0, 'followers'))
                      + bought_followers))::bigint as followers,
    draw(n, day, 0, 'post_count') as post_count_draw
from joined
"""  # noqa: E501 (the SQL reads as the formula it implements)

# One row per published post, drawn as world.Account.posts_published_on draws them, with the
# last day the extractors observe it: they re-observe a post daily for the window, while the
# account answers (not churned, not private) and the post is not deleted. The post id follows
# draws.post_id's shape (11 hex characters on YouTube, 18 digits elsewhere).
POSTS = f"""
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
        draw(n, day, post_index, 'sponsored') < {c.SPONSORED_SHARE} as is_sponsored,
        a.engagement_rate * exp({c.POST_RATE_SIGMA} * gauss(n, day, post_index, 'rate'))
            * case when draw(n, day, post_index, 'viral') < {c.VIRAL_SHARE} then {c.VIRAL_MULTIPLE} else 1 end as rate,
        case when draw(n, day, post_index, 'deleted') < {c.DELETED_SHARE}
            then day + {_DELETED_LOW} + floor(draw(n, day, post_index, 'deleted_on') * {_DELETED_HIGH - _DELETED_LOW + 1})::integer
        end as deleted_day,
        hash(n, day, post_index, hash('post_id')) as id_hash,
        day * 86400 + {_FIRST_SECOND} + floor(draw(n, day, post_index, 'second') * {_LAST_SECOND - _FIRST_SECOND})::bigint
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
    timestamptz '{{reference}} 00:00:00+00' + to_seconds(published_second) as published_at,
    niche || ' ' || {_sql_list(c.CAPTION_KINDS)}[
        1 + floor(draw(n, day, post_index, 'caption') * {len(c.CAPTION_KINDS)})::integer] || ' #' || niche
        || case when is_sponsored then ' ' || case when draw(n, day, post_index, 'tag') < 0.5
            then tag_1 else tag_2 end else '' end as caption,
    media_types[1 + floor(draw(n, day, post_index, 'media') * len(media_types))::integer]
        as media_type,
    is_sponsored,
    least(day + {{window}} - 1, private_day - 1, churned_day - 1, deleted_day - 1)
        as last_observed_day,
    organic_followers * rate as final_engagements,
    organic_followers * rate * ({_VIEWS_LOW} + {_VIEWS_HIGH - _VIEWS_LOW} * draw(n, day, post_index, 'views')) as final_views,
    coalesce(day >= bought_likes_day, false) as likes_bought,
    split_likes, split_comments, split_shares, split_saves
from drawn
"""  # noqa: E501

# The posts of one platform the extractors observe on {day}: those published in the window
# before it and still observed (see POSTS).
OBSERVED_ON_DAY = ("published_day between {day} - {window} + 1 and {day} "
                   "and last_observed_day >= {day}")

# Each account's daily snapshot of world.Account on one platform, from {first_day} on.
ACCOUNT_SNAPSHOTS = f"""
select a.*, d.day, d.followers,
    (a.following + case when d.day > 0 then floor(d.day * {c.FOLLOWING_PER_DAY}) else 0 end)::bigint
        as following_now,
    coalesce(d.day >= a.private_day, false) as is_private,
    case when a.renamed_day is not null and d.day < a.renamed_day then a.old_handle
        else a.handle end as handle_now
from account_days d join accounts a using (n)
where a.platform = '{{platform}}' and d.day >= {{first_day}}
"""  # noqa: E501

# The day's observation of each post of one platform, its metrics matured as
# world.Account.metrics_on matures them. The post's age comes from its publication second as a
# number: taken from the timestamps (epoch of an interval), it cost five times the whole rest of
# the arithmetic.
POST_OBSERVATIONS = f"""
with observed as (
    select *, 1.0 - exp(-greatest(0.0, (({{day}} + 1) * 86400 - published_second) / 86400.0)
                        / {c.MATURITY_DAYS}) as matured
    from posts_{{platform}}
    where {{observed}}
)
select *,
    round(final_engagements * matured * split_likes
          * case when likes_bought then {c.BOUGHT_LIKES_MULTIPLE} else 1 end)::bigint as likes,
    round(final_engagements * matured * split_comments)::bigint as comments,
    round(final_engagements * matured * split_shares)::bigint as shares,
    round(final_engagements * matured * split_saves)::bigint as saves,
    round(final_views * matured)::bigint as views
from observed
"""
