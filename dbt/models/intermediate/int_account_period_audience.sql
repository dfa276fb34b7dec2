{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'period_grain', 'period_start'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'period_start'},
    )
}}

-- One row per platform account per period with a snapshot (calendar week starting Monday,
-- and calendar month): the reach and tier of its last snapshot, and the follower count growth
-- is measured from (the last snapshot before the period; for an account first seen inside
-- the period, its first snapshot there).
-- An incremental run recomputes the periods from period_recompute_since on, reading the
-- snapshots from then and each account's last snapshot before.

{%- set grains = ['week', 'month'] %}
{%- set read_since = period_recompute_since('last_observed_date', ref('int_posts_measured')) %}

with

account_days as (

    select account_key, platform, observed_date, followers, tier
    from {{ ref('int_account_days_with_engagement') }}
    {{ since_period_recompute('observed_date', read_since) }}

),

snapshots_for_baseline as (

    select account_key, observed_date, followers from account_days
    {% if read_since %}

    union all

    -- each account's last snapshot before the periods recomputed, for a growth baseline
    select account_key, max(observed_date), {{ arg_max('followers', 'observed_date') }}
    from {{ ref('int_account_days_with_engagement') }}
    where observed_date < {{ date_literal(read_since) }}
    group by account_key
    {% endif %}

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

)

select
    period_audience.*,
    case
        when snapshot_before.observed_date is not null then snapshot_before.followers
        else period_audience.first_followers_in_period
    end as baseline_followers
from period_audience
{{ asof_left_join('period_audience', 'snapshots_for_baseline', 'snapshot_before',
                  'account_key', 'period_start', '>', 'observed_date') }}
-- a week begun before the first date read is incomplete here (and unchanged)
{{ since_period_recompute('period_audience.period_start', read_since) }}
{{ cluster_by('period_start') }}
