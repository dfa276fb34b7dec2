-- One row per KOL per platform account per period (calendar week starting Monday, and
-- calendar month): reach, follower growth, output and per-post engagement at a fixed age
-- (int_account_period_performance), for the accounts the registry gives a KOL. The KOL is
-- joined here, at build time, so a registry change shows in every period at once.

with

kol_accounts as (

    select account_key, kol_id from {{ ref('dim_account') }} where kol_id is not null

)

select
    kol_accounts.kol_id,
    periods.platform,
    periods.account_key,
    periods.period_grain,
    periods.period_start,
    periods.period_end,
    periods.tier,
    periods.reach,
    periods.follower_growth,
    periods.follower_growth_rel,
    periods.days_observed,
    periods.posts_published,
    periods.sponsored_posts,
    periods.immature_posts,
    periods.engagements,
    periods.engagements_per_post,
    periods.engagement_rate_by_followers_median,
    periods.engagement_rate_by_followers_mean,
    periods.engagement_rate_by_views_median,
    periods.viral_posts
from {{ ref('int_account_period_performance') }} as periods
inner join kol_accounts on periods.account_key = kol_accounts.account_key
