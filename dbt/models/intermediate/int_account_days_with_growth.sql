{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: the day's counts, the net follower change
-- over 1, 7 and 30 days (against the snapshot exactly that many days earlier; null when that
-- snapshot is missing or its count hidden), and the day's audience tier.
-- An incremental run recomputes the dates since the cutoff, from the snapshots of the 30 days
-- before it on.

with

account_days as (

    select * from {{ ref('int_accounts_unioned') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date', days_before=30) }}

),

tier_thresholds as (

    select * from {{ ref('int_tier_thresholds_resolved') }}

),

with_earlier_followers as (

    -- each frame holds only the snapshot dated exactly N days earlier, if there is one
    select
        *,
        {%- for days in [1, 7, 30] %}
        max(followers) over (
            partition by account_key
            order by observed_date
            range between interval {{ days }} day preceding and interval {{ days }} day preceding
        ) as followers_{{ days }}d_before{{ "," if not loop.last }}
        {%- endfor %}
    from account_days

)

select
    with_earlier_followers.account_key,
    with_earlier_followers.platform,
    with_earlier_followers.account_id,
    with_earlier_followers.observed_date,
    with_earlier_followers.handle,
    with_earlier_followers.display_name,
    with_earlier_followers.followers,
    {{ followers_status('with_earlier_followers.platform', 'with_earlier_followers.followers') }}
        as followers_status,
    {{ follower_count_step('with_earlier_followers.platform', 'with_earlier_followers.followers') }}
        as follower_count_step,
    with_earlier_followers.following,
    with_earlier_followers.posts_count,
    {%- for days in [1, 7, 30] %}
    {%- set before = 'with_earlier_followers.followers_' ~ days ~ 'd_before' %}
    with_earlier_followers.followers - {{ before }} as follower_growth_{{ days }}d,
    {{ safe_divide('with_earlier_followers.followers - ' ~ before, before) }}
        as follower_growth_rel_{{ days }}d,
    {%- endfor %}
    tier_thresholds.tier
from with_earlier_followers
left join tier_thresholds
    on with_earlier_followers.platform = tier_thresholds.platform
    and with_earlier_followers.followers >= tier_thresholds.min_followers
    and (
        with_earlier_followers.followers < tier_thresholds.max_followers
        or tier_thresholds.max_followers is null
    )
{{ since_incremental_cutoff('with_earlier_followers.observed_date', 'observed_date') }}
{{ cluster_by('observed_date') }}
