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
-- side of kol_performance, which adds the KOL. Posts count in the period of their
-- publication date.
-- An incremental run recomputes every period that holds a recomputed date: a snapshot since
-- the cutoff, or the publication date of a post observed since then (a post's metrics change
-- until it reaches its fixed age). It reads the snapshots and posts from the first day of the
-- earliest such period on.

{% set grains = ['week', 'month'] %}
{%- set read_since = none %}
{%- if is_incremental() and execute %}
    {%- set cutoff = incremental_cutoff_date('last_observed_date') %}
    {%- set earliest_post = run_query(
        'select min(published_date) from ' ~ ref('fct_posts')
        ~ ' where last_observed_date >= ' ~ date_literal(cutoff)).columns[0].values()[0] %}
    {%- set since = [cutoff, as_date(earliest_post)] | min if earliest_post is not none
        else cutoff %}
    {%- set read_since = [since - modules.datetime.timedelta(days=since.weekday()),
                          since.replace(day=1)] | min %}
{%- endif %}

with

account_days as (

    select * from {{ ref('fct_account_daily') }}
    {% if read_since %}where observed_date >= {{ date_literal(read_since) }}{% endif %}

),

snapshots_for_baseline as (

    select account_key, observed_date, followers from account_days
    {% if read_since %}

    union all

    -- each account's last snapshot before the periods recomputed, for a growth baseline
    select account_key, max(observed_date), {{ arg_max('followers', 'observed_date') }}
    from {{ ref('fct_account_daily') }}
    where observed_date < {{ date_literal(read_since) }}
    group by account_key
    {% endif %}

),

posts as (

    select
        fct_posts.*,
        -- viral: far above the account's own median over the trailing 30 days
        fct_posts.engagement_rate_by_followers > {{ var('viral_multiple') }}
            * account_days.engagement_rate_by_followers_median_30d as is_viral
    from {{ ref('fct_posts') }} as fct_posts
    left join account_days
        on fct_posts.account_key = account_days.account_key
        and fct_posts.published_date = account_days.observed_date
    {% if read_since %}where fct_posts.published_date >= {{ date_literal(read_since) }}{% endif %}

),

account_days_in_periods as (

    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        cast(date_trunc('{{ grain }}', observed_date) as date) as period_start,
        *
    from account_days
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

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

),

period_audience as (

    select
        period_grain,
        period_start,
        account_key,
        platform,
        {{ arg_max('followers', 'observed_date') }} as reach,
        {{ arg_max('tier', 'observed_date') }} as tier,
        {{ arg_min('followers', 'observed_date') }} as first_followers_in_period,
        max(observed_date) as last_observed_date,
        cast(count(*) as integer) as days_observed
    from account_days_in_periods
    group by period_grain, period_start, account_key, platform

),

period_audience_with_baseline as (

    -- Growth counts from the last snapshot before the period; an account first seen inside
    -- the period counts from its first snapshot there.
    select
        period_audience.*,
        case
            when snapshot_before.observed_date is not null then snapshot_before.followers
            else period_audience.first_followers_in_period
        end as baseline_followers
    from period_audience
    {{ asof_left_join('period_audience', 'snapshots_for_baseline', 'snapshot_before',
                      'account_key', 'period_start', '>', 'observed_date') }}

),

period_posts as (

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
        cast(count(*) filter (where is_viral) as integer) as viral_posts
    from posts_in_periods
    group by period_grain, period_start, account_key, platform

),

periods as (

    select period_grain, period_start, account_key, platform from period_audience
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
left join period_audience_with_baseline as audience
    on periods.period_grain = audience.period_grain
    and periods.period_start = audience.period_start
    and periods.account_key = audience.account_key
left join period_posts
    on periods.period_grain = period_posts.period_grain
    and periods.period_start = period_posts.period_start
    and periods.account_key = period_posts.account_key
{% if read_since %}where periods.period_start >= {{ date_literal(read_since) }}{% endif %}
{{ cluster_by('period_start') }}
