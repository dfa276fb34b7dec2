{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'period_grain', 'period_start'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'period_start'},
    )
}}

-- One row per platform account per period with a post published in it (calendar week
-- starting Monday, and calendar month): output and per-post engagement at a fixed age, and
-- the viral posts (engagement rate over var('viral_multiple') times the account's own 30-day
-- median on the publication date). Posts count in the period of their publication date.
-- An incremental run recomputes the periods from period_recompute_since on.

{%- set grains = ['week', 'month'] %}
{%- set read_since = period_recompute_since('last_observed_date', ref('int_posts_measured')) %}

with

account_days as (

    select account_key, observed_date, engagement_rate_by_followers_median_30d
    from {{ ref('int_account_days_with_engagement') }}
    {{ since_period_recompute('observed_date', read_since) }}

),

posts as (

    select
        measured_posts.*,
        -- viral: far above the account's own median over the trailing 30 days
        measured_posts.engagement_rate_by_followers > {{ var('viral_multiple') }}
            * account_days.engagement_rate_by_followers_median_30d as is_viral
    from {{ ref('int_posts_measured') }} as measured_posts
    left join account_days
        on measured_posts.account_key = account_days.account_key
        and measured_posts.published_date = account_days.observed_date
    {{ since_period_recompute('measured_posts.published_date', read_since) }}

),

posts_in_periods as (

    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        cast(date_trunc('{{ grain }}', published_date) as date) as period_start,
        *
    from posts
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    period_grain,
    period_start,
    account_key,
    platform,
    cast(count(*) as integer) as posts_published,
    cast(count(*) filter (where is_sponsored) as integer) as sponsored_posts,
    cast(count(*) filter (where is_immature) as integer) as immature_posts,
    cast(sum(engagements) as bigint) as engagements,
    avg(engagements) as engagements_per_post,
    median(engagement_rate_by_followers) as engagement_rate_by_followers_median,
    {{ exact_avg("engagement_rate_by_followers") }} as engagement_rate_by_followers_mean,
    median(engagement_rate_by_views) as engagement_rate_by_views_median,
    cast(count(*) filter (where is_viral) as integer) as viral_posts,
    -- what the next incremental run takes its cutoff from
    max(last_observed_date) as last_observed_date
from posts_in_periods
-- a week begun before the first date read is incomplete here (and unchanged)
{{ since_period_recompute('period_start', read_since, 'where') }}
group by period_grain, period_start, account_key, platform
{{ cluster_by('period_start') }}
