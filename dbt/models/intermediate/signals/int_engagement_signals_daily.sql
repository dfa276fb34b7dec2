{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: the account's engagement against its peers
-- on that date, with the peer band as evidence.
--  * engagement rate: the account's 30-day median engagement_rate_by_followers
--    against the median and the 10th-90th percentile band of its platform-and-tier peers that
--    day (peers with at least 3 rated posts); a tier with fewer than var('min_peer_group_size')
--    such peers is compared with its whole platform instead. Rates fall with audience size even
--    within a tier (a tier spans 10x), and the top tiers have few peers, so the rule judges the
--    rate against the rate expected at the account's exact size: a least-squares line of
--    ln(rate) on ln(followers) through the platform's rated accounts that day.
--  * likes per comment over the recent posts against the platform's median
--    (int_likes_per_comment_daily).
-- An incremental run recomputes the dates since the cutoff (each date's bands are its own).

{%- set min_rated_posts = 3 %}

with

account_days as (

    select
        account_key,
        platform,
        observed_date,
        tier,
        followers,
        engagement_rate_by_followers_median_30d,
        posts_with_rate_30d
    from {{ ref('int_account_days_with_engagement') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

likes_per_comment as (

    select * from {{ ref('int_likes_per_comment_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

rated_account_days as (

    select * from account_days
    where posts_with_rate_30d >= {{ min_rated_posts }}
        and engagement_rate_by_followers_median_30d > 0
        and followers > 0

),

size_fits as (

    select
        platform,
        observed_date,
        -- Rounded: the fit's last bits depend on the order rows arrive in, and the evidence must
        -- be the same however the dates were run.
        round(regr_intercept(ln(engagement_rate_by_followers_median_30d), ln(followers)), 9)
            as ln_rate_intercept,
        round(regr_slope(ln(engagement_rate_by_followers_median_30d), ln(followers)), 9)
            as ln_rate_slope
    from rated_account_days
    group by platform, observed_date
    having count(*) >= {{ var('min_peer_group_size') }}

),

tier_bands as (

    select
        platform,
        tier,
        observed_date,
        count(*) as peers,
        median(engagement_rate_by_followers_median_30d) as peer_median,
        {{ quantile_cont('engagement_rate_by_followers_median_30d', 0.1) }} as peer_p10,
        {{ quantile_cont('engagement_rate_by_followers_median_30d', 0.9) }} as peer_p90
    from rated_account_days
    group by platform, tier, observed_date

),

platform_bands as (

    select
        platform,
        observed_date,
        count(*) as peers,
        median(engagement_rate_by_followers_median_30d) as peer_median,
        {{ quantile_cont('engagement_rate_by_followers_median_30d', 0.1) }} as peer_p10,
        {{ quantile_cont('engagement_rate_by_followers_median_30d', 0.9) }} as peer_p90
    from rated_account_days
    group by platform, observed_date

),

banded as (

    select
        account_days.account_key,
        account_days.observed_date,
        case when account_days.posts_with_rate_30d >= {{ min_rated_posts }}
            then account_days.engagement_rate_by_followers_median_30d end
            as engagement_rate_median_30d,
        account_days.posts_with_rate_30d,
        -- the tier's band where it has enough peers (never null then), else the platform's
        case when tier_bands.peers is not null then 'platform_and_tier' else 'platform' end
            as engagement_peer_group,
        coalesce(tier_bands.peers, platform_bands.peers) as engagement_peers,
        coalesce(tier_bands.peer_median, platform_bands.peer_median) as engagement_peer_median,
        coalesce(tier_bands.peer_p10, platform_bands.peer_p10) as engagement_peer_p10,
        coalesce(tier_bands.peer_p90, platform_bands.peer_p90) as engagement_peer_p90,
        likes_per_comment.likes_recent,
        likes_per_comment.comments_recent,
        likes_per_comment.likes_per_comment,
        likes_per_comment.platform_likes_per_comment_median,
        case when account_days.followers > 0 then
            exp(size_fits.ln_rate_intercept + size_fits.ln_rate_slope * ln(account_days.followers))
        end as engagement_rate_expected_for_size
    from account_days
    left join tier_bands
        on account_days.platform = tier_bands.platform
        and account_days.tier = tier_bands.tier
        and account_days.observed_date = tier_bands.observed_date
        and tier_bands.peers >= {{ var('min_peer_group_size') }}
    left join platform_bands
        on account_days.platform = platform_bands.platform
        and account_days.observed_date = platform_bands.observed_date
    left join likes_per_comment
        on account_days.account_key = likes_per_comment.account_key
        and account_days.observed_date = likes_per_comment.observed_date
    left join size_fits
        on account_days.platform = size_fits.platform
        and account_days.observed_date = size_fits.observed_date

)

select
    *,
    -- multiples of the peer median: 0.125 is an eighth of a typical peer's rate
    {{ safe_divide('engagement_rate_median_30d', 'engagement_peer_median') }}
        as engagement_rate_vs_peer_median,
    {{ safe_divide('engagement_rate_median_30d', 'engagement_rate_expected_for_size') }}
        as engagement_rate_vs_expected_for_size,
    {{ safe_divide('likes_per_comment', 'platform_likes_per_comment_median') }}
        as likes_per_comment_vs_platform_median
from banded
{{ cluster_by('observed_date') }}
