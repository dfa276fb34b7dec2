{{ config(materialized='table') }}

-- One row per platform account per observed date with a scored follower sample: the share of
-- the sampled followers that look fake, as scored by kolpipe's follower scoring (X, Weibo and
-- TikTok follower profiles; Instagram and YouTube expose no follower list) before dbt builds
-- the date (stg_gate__follower_scores). The samples of the trailing var('fake_follower_days')
-- days are pooled: the share is fake followers over followers scored in the window, with its
-- 95 % Wilson interval, which narrows as the pooled n grows. Pooling treats the days' samples
-- as different followers; where a slow-growing account's newest-follower pages repeat, n is
-- overstated (docs/gate.md, "Audience credibility").

{%- set window_days = var('fake_follower_days') %}
with

scores as (

    select
        account_key,
        platform,
        observed_date,
        followers_scored,
        fake_followers,
        fake_follower_share,
        score_fields,
        sample_method,
        case score_confidence when 'low' then 1 when 'medium' then 2 when 'high' then 3 end
            as confidence_rank
    from {{ ref('stg_gate__follower_scores') }}
    where fake_follower_share is not null

),

trailing_scores as (

    select
        account_key,
        platform,
        observed_date,
        score_fields,
        sample_method,
        fake_follower_share as fake_follower_share_of_day,
        count(*) over trailing_days as follower_sample_days,
        -- DuckDB sums bigints into hugeints; the counts fit a bigint
        cast(sum(followers_scored) over trailing_days as bigint) as followers_scored_in_window,
        cast(sum(fake_followers) over trailing_days as bigint) as fake_followers_in_window,
        min(confidence_rank) over trailing_days as confidence_rank
    from scores
    window trailing_days as (
        partition by account_key
        order by observed_date
        range between interval {{ window_days - 1 }} day preceding and current row
    )

),

shares as (

    select
        account_key,
        platform,
        observed_date,
        fake_follower_share_of_day,
        follower_sample_days,
        followers_scored_in_window,
        fake_followers_in_window,
        {{ safe_divide('fake_followers_in_window', 'followers_scored_in_window') }}
            as fake_follower_share,
        {{ wilson_bound('fake_followers_in_window', 'followers_scored_in_window', 'low') }}
            as fake_follower_share_ci_low,
        {{ wilson_bound('fake_followers_in_window', 'followers_scored_in_window', 'high') }}
            as fake_follower_share_ci_high,
        case confidence_rank when 1 then 'low' when 2 then 'medium' when 3 then 'high' end
            as score_confidence,
        score_fields,
        sample_method
    from trailing_scores

)

select
    *,
    median(fake_follower_share) over (partition by platform, observed_date)
        as platform_fake_follower_share_median
from shares
