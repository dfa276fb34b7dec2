{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: how uniform the engagement of the account's
-- posts is. Engagement pods like and comment on every post of their members whatever the post,
-- which adds a near-constant block to each post and flattens the spread that genuine audiences
-- show (some posts land, some do not). Works from public counts, so on every platform,
-- Instagram included.
--  * over the posts published in the var('uniformity_days') days before the date that have
--    reached the fixed age (int_posts_measured, so every post is measured at the same age and
--    none is immature on the date), with the like count visible;
--  * engagement_rate_robust_cv: 1.4826 x MAD / median of the posts' engagement rate by
--    followers (robust: one viral post does not move it);
--  * null with fewer than var('min_uniformity_posts') posts, or a median under 20 engagements
--    per post (small integer counts are uniform by rounding, not by pods).
-- An incremental run recomputes the dates since the cutoff.

{%- set window_days = var('uniformity_days') %}
{%- set min_posts = var('min_uniformity_posts') %}

with

account_days as (

    select account_key, platform, observed_date
    from {{ ref('int_account_days_with_engagement') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

posts as (

    select
        account_key,
        published_date,
        engagements,
        engagement_rate_by_followers
    from {{ ref('int_posts_measured') }}
    where not is_immature
        and likes is not null
        and engagement_rate_by_followers is not null
        {{ since_incremental_cutoff('published_date', 'observed_date',
                                    window_days + var('fixed_age_days') - 1, 'and') }}

),

series as (

    -- one dated series per account: a row per account-day to judge, and a row per post dated
    -- fixed_age_days after its publication, so that the frame of the last window_days days of
    -- the series holds exactly the posts published window_days + fixed_age_days - 1 to
    -- fixed_age_days days before the date (a windowed aggregate over ~1 row per post, where
    -- joining every date to its posts gives ~window_days rows per account-day)
    select account_key, platform, observed_date as series_date, true as is_judged,
        cast(null as bigint) as engagements, cast(null as double) as engagement_rate_by_followers
    from account_days
    union all
    select posts.account_key, null, posts.published_date + {{ var('fixed_age_days') }},
        false, posts.engagements, posts.engagement_rate_by_followers
    from posts

),

windowed as (

    select
        account_key,
        platform,
        is_judged,
        series_date as observed_date,
        count(engagement_rate_by_followers) over trailing_days as uniformity_posts,
        {{ median_over('engagements', 'trailing_days') }} as uniformity_engagements_median,
        {{ median_over('engagement_rate_by_followers', 'trailing_days') }}
            as uniformity_rate_median,
        {{ mad_over('engagement_rate_by_followers', 'trailing_days') }} as uniformity_rate_mad
    from series
    window trailing_days as (
        partition by account_key
        order by series_date
        range between interval {{ window_days - 1 }} day preceding and current row
    )

),

spread as (

    select account_key, platform, observed_date, uniformity_posts,
        uniformity_engagements_median, uniformity_rate_median, uniformity_rate_mad
    from windowed
    -- as before: a date with no post in its window has no row
    where is_judged and uniformity_posts > 0

),

judged as (

    select
        *,
        case
            when uniformity_posts >= {{ min_posts }}
                and uniformity_engagements_median >= 20
                and uniformity_rate_median > 0
            then 1.4826 * uniformity_rate_mad / uniformity_rate_median
        end as engagement_rate_robust_cv
    from spread

)

select
    *,
    median(engagement_rate_robust_cv) over platform_day
        as platform_engagement_rate_robust_cv_median,
    {{ safe_divide('engagement_rate_robust_cv',
                   'median(engagement_rate_robust_cv) over platform_day') }}
        as engagement_rate_robust_cv_vs_platform_median
from judged
window platform_day as (partition by platform, observed_date)
{{ cluster_by('observed_date') }}
