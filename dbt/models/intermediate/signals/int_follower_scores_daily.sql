{{ config(materialized='table') }}

-- One row per platform account per observed date with a scored follower sample: the share of
-- the sampled followers that look fake, as scored by kolpipe's follower scoring (the
-- fake-follower classifier over X and Weibo follower profiles; TikTok's sample has too few
-- fields, the other platforms expose none) before dbt builds the date
-- (stg_gate__follower_scores). A day's sample of 100 is noisy (a binomial +-5 points), so the
-- signal is the mean over the scored days of the trailing var('fake_follower_days') days.

{%- set window_days = var('fake_follower_days') %}
with

scores as (

    select account_key, platform, observed_date, followers_scored, fake_follower_share
    from {{ ref('stg_gate__follower_scores') }}
    where fake_follower_share is not null

),

trailing_scores as (

    select
        account_key,
        platform,
        observed_date,
        followers_scored,
        fake_follower_share as fake_follower_share_of_day,
        avg(fake_follower_share) over trailing_days as fake_follower_share,
        count(*) over trailing_days as follower_sample_days,
        sum(followers_scored) over trailing_days as followers_scored_in_window
    from scores
    window trailing_days as (
        partition by account_key
        order by observed_date
        range between interval {{ window_days - 1 }} day preceding and current row
    )

)

select
    *,
    median(fake_follower_share) over (partition by platform, observed_date)
        as platform_fake_follower_share_median
from trailing_scores
