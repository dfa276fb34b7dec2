{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: followers and their growth, the posts
-- published that day, and over the posts published in the trailing 30-day window: the
-- account's engagement rate (median, robust to one viral post, with the mean alongside) and
-- its posting cadence. fct_account_daily publishes it; the gate's signals and the period
-- performance read it here, so the intermediate layer never reads a mart.

{#- The window is part of the column names (…_30d), so it is fixed here, not a var. -#}
{% set window_days = 30 %}

with

account_days as (

    select * from {{ ref('int_account_days_with_growth') }}
    {% if is_incremental() %}
    -- Recompute every date since the cutoff: late account snapshots and posts maturing to
    -- the fixed age change the growth and rolling rates of recent days.
    where observed_date >= {{ incremental_cutoff('observed_date') }}
    {% endif %}

),

posts as (

    select account_key, published_date, engagement_rate_by_followers
    from {{ ref('int_posts_measured') }}
    {{ since_incremental_cutoff('published_date', 'observed_date', days_before=window_days - 1) }}

),

posts_per_day as (

    select account_key, published_date, count(*) as posts_published
    from posts
    group by account_key, published_date

),

rolling_rates as (

    -- one dated series per account (a row per account-day, a row per post on its publication
    -- date): the frame of the trailing window_days days holds exactly the window's posts, a
    -- windowed aggregate over ~1 row per post instead of joining every date to its posts
    select
        account_key,
        observed_date,
        {{ median_over('engagement_rate_by_followers', 'trailing_days') }}
            as engagement_rate_by_followers_median_30d,
        {{ exact_avg_over('engagement_rate_by_followers', 'trailing_days') }}
            as engagement_rate_by_followers_mean_30d,
        count(engagement_rate_by_followers) over trailing_days as posts_with_rate_30d,
        count(post_row) over trailing_days as posts_published_30d,
        post_row is null as is_account_day
    from (
        select account_key, observed_date, cast(null as double) as engagement_rate_by_followers,
            cast(null as integer) as post_row
        from account_days
        union all
        select account_key, published_date, engagement_rate_by_followers, 1
        from posts
    ) as series
    window trailing_days as (
        partition by account_key
        order by observed_date
        range between interval {{ window_days - 1 }} day preceding and current row
    )

)

select
    account_days.account_key,
    account_days.platform,
    account_days.account_id,
    account_days.observed_date,
    account_days.followers,
    account_days.followers_status,
    account_days.follower_count_step,
    account_days.following,
    account_days.posts_count,
    account_days.follower_growth_1d,
    account_days.follower_growth_7d,
    account_days.follower_growth_30d,
    account_days.follower_growth_rel_1d,
    account_days.follower_growth_rel_7d,
    account_days.follower_growth_rel_30d,
    account_days.tier,
    coalesce(posts_per_day.posts_published, 0) as posts_published,
    rolling_rates.engagement_rate_by_followers_median_30d,
    rolling_rates.engagement_rate_by_followers_mean_30d,
    coalesce(rolling_rates.posts_with_rate_30d, 0) as posts_with_rate_30d,
    coalesce(rolling_rates.posts_published_30d, 0) as posts_published_30d,
    -- posting cadence: posts per week over the trailing window
    cast(coalesce(rolling_rates.posts_published_30d, 0) as double) * 7 / {{ window_days }}
        as posts_per_week_30d
from account_days
left join posts_per_day
    on account_days.account_key = posts_per_day.account_key
    and account_days.observed_date = posts_per_day.published_date
left join rolling_rates
    on account_days.account_key = rolling_rates.account_key
    and account_days.observed_date = rolling_rates.observed_date
    and rolling_rates.is_account_day
{{ cluster_by('observed_date') }}
