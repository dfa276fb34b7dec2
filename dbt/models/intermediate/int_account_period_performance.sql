{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'period_grain', 'period_start'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'period_start'},
    )
}}

-- One row per platform account per period (calendar week starting Monday, and calendar
-- month): reach, follower growth, output and per-post engagement at a fixed age; the KOL's
-- side of kol_performance, which adds the KOL. The audience of the period comes from
-- int_account_period_audience, its posts from int_account_period_posts (posts count in the
-- period of their publication date).
-- An incremental run recomputes the periods from period_recompute_since on.

{%- set read_since = period_recompute_since('last_observed_date', ref('int_posts_measured')) %}

with

audience as (

    select * from {{ ref('int_account_period_audience') }}
    {{ since_period_recompute('period_start', read_since) }}

),

period_posts as (

    select * from {{ ref('int_account_period_posts') }}
    {{ since_period_recompute('period_start', read_since) }}

),

periods as (

    select period_grain, period_start, account_key, platform from audience
    union
    select period_grain, period_start, account_key, platform from period_posts

)

select
    periods.platform,
    periods.account_key,
    periods.period_grain,
    periods.period_start,
    cast(
        case periods.period_grain
            when 'week' then periods.period_start + interval 6 day
            else last_day(periods.period_start)
        end as date
    ) as period_end,
    audience.tier,
    audience.last_observed_date,
    audience.reach,
    audience.reach - audience.baseline_followers as follower_growth,
    {{ safe_divide('audience.reach - audience.baseline_followers', 'audience.baseline_followers') }}
        as follower_growth_rel,
    coalesce(audience.days_observed, 0) as days_observed,
    coalesce(period_posts.posts_published, 0) as posts_published,
    coalesce(period_posts.sponsored_posts, 0) as sponsored_posts,
    coalesce(period_posts.immature_posts, 0) as immature_posts,
    period_posts.engagements,
    period_posts.engagements_per_post,
    period_posts.engagement_rate_by_followers_median,
    period_posts.engagement_rate_by_followers_mean,
    period_posts.engagement_rate_by_views_median,
    coalesce(period_posts.viral_posts, 0) as viral_posts
from periods
left join audience
    on periods.period_grain = audience.period_grain
    and periods.period_start = audience.period_start
    and periods.account_key = audience.account_key
left join period_posts
    on periods.period_grain = period_posts.period_grain
    and periods.period_start = period_posts.period_start
    and periods.account_key = period_posts.account_key
{{ cluster_by('period_start') }}
