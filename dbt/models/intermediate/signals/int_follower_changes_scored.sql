{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: the day's follower change scored against
-- the account's own robust range of daily changes over the EARLIER days only (a baseline that
-- includes the day under test hides the spike; see DOMAIN.md).
--  * robust z = (change - median of earlier changes) / scale, where the scale is 1.4826 x MAD
--    (the standard deviation of a normal distribution with that MAD), but never below the
--    platform's count step (YouTube rounds subscriber counts to three significant figures, so
--    a large channel's change moves in steps of thousands and its MAD can be 0), nor below
--    0.05% of the audience (counts jitter by that much from day to day).
--  * no z before the account has var('spike_min_baseline_days') earlier changes.
-- An incremental run recomputes the dates since the cutoff, reading their baseline days too.

{%- set baseline_days = var('spike_baseline_days') %}
{%- set min_baseline_days = var('spike_min_baseline_days') %}

with

account_days as (

    select * from {{ ref('int_account_days_with_growth') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date', days_before=baseline_days) }}

),

changes as (

    select
        account_key,
        platform,
        account_id,
        observed_date,
        followers,
        follower_growth_1d as follower_change,
        follower_count_step
    from account_days

),

with_baseline as (

    select
        *,
        {{ median_over('follower_change', 'earlier_days') }} as baseline_change_median,
        {{ mad_over('follower_change', 'earlier_days') }} as baseline_change_mad,
        count(follower_change) over earlier_days as baseline_change_days
    from changes
    window earlier_days as (
        partition by account_key
        order by observed_date
        range between interval {{ baseline_days }} day preceding and interval 1 day preceding
    )

),

scaled as (

    select
        *,
        greatest(
            1.4826 * baseline_change_mad,
            follower_count_step,
            0.0005 * (followers - follower_change),
            1
        ) as baseline_change_scale,
        follower_change - baseline_change_median as follower_change_excess
    from with_baseline

)

select
    *,
    case
        when baseline_change_days >= {{ min_baseline_days }}
            then follower_change_excess / baseline_change_scale
    end as spike_robust_z,
    -- bought batches come in round numbers (1,000, 5,000): the excess is within two scales of
    -- a non-zero multiple of 1,000
    coalesce(
        follower_change_excess >= 1000
        and abs(follower_change_excess - 1000 * round(follower_change_excess / 1000))
            <= 2 * baseline_change_scale,
        false
    ) as is_round_number_gain
from scaled
{{ since_incremental_cutoff('observed_date', 'observed_date') }}
{{ cluster_by('observed_date') }}
