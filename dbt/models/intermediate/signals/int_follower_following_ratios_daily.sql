{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: followers / following against the median
-- of the account's platform and tier that day. An incremental run recomputes the dates since
-- the cutoff (each date's median is its own).

with

following_ratios as (

    select
        account_key,
        observed_date,
        platform,
        tier,
        {{ safe_divide('followers', 'following') }} as follower_following_ratio
    from {{ ref('int_account_days_with_growth') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

following_norms as (

    select
        platform,
        tier,
        observed_date,
        median(follower_following_ratio) as tier_follower_following_ratio_median
    from following_ratios
    where follower_following_ratio is not null
    group by platform, tier, observed_date

)

select
    following_ratios.account_key,
    following_ratios.observed_date,
    following_ratios.follower_following_ratio,
    following_norms.tier_follower_following_ratio_median,
    {{ safe_divide('following_ratios.follower_following_ratio',
                   'following_norms.tier_follower_following_ratio_median') }}
        as follower_following_ratio_vs_tier_median
from following_ratios
left join following_norms
    on following_ratios.platform = following_norms.platform
    and following_ratios.tier = following_norms.tier
    and following_ratios.observed_date = following_norms.observed_date
{{ cluster_by('observed_date') }}
