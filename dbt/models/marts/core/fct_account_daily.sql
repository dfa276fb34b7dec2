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
-- published that day, the trailing 30-day engagement rate and posting cadence
-- (int_account_days_with_engagement, where they are computed).

select
    account_key,
    platform,
    account_id,
    observed_date,
    followers,
    followers_status,
    follower_count_step,
    following,
    posts_count,
    follower_growth_1d,
    follower_growth_7d,
    follower_growth_30d,
    follower_growth_rel_1d,
    follower_growth_rel_7d,
    follower_growth_rel_30d,
    tier,
    posts_published,
    engagement_rate_by_followers_median_30d,
    engagement_rate_by_followers_mean_30d,
    posts_with_rate_30d,
    posts_published_30d,
    posts_per_week_30d
from {{ ref('int_account_days_with_engagement') }}
{% if is_incremental() %}
-- Recompute every date since the cutoff: late account snapshots and posts maturing to the
-- fixed age change the growth and rolling rates of recent days.
where observed_date >= {{ incremental_cutoff('observed_date') }}
{% endif %}
{{ cluster_by('observed_date') }}
