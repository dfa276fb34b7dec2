{{ config(materialized='table') }}

-- One row per platform account per observed date with a scored follower sample: the share of
-- the sampled followers that look fake, as scored by kolpipe.gate.score_follower_samples (the
-- fake-follower classifier over X and Weibo follower profiles; TikTok's sample has too few
-- fields, the other platforms expose none) before dbt builds the date. A day's sample of 100
-- is noisy (a binomial +-5 points), so the signal is the mean over the scored days of the
-- trailing var('fake_follower_days') days.

{%- set window_days = var('fake_follower_days', 7) %}
{%- set score_files = env_var('KOLPIPE_LANDING') ~ '/gate/follower_scores/dt=*/*.parquet' %}
{%- set has_scores = false %}
{%- if execute %}
    {%- set has_scores = run_query(
        "select count(*) from glob('" ~ score_files ~ "')").columns[0].values()[0] > 0 %}
{%- endif %}

with

scores as (

    {% if has_scores -%}
    select account_key, platform, account_id, logical_date, followers_scored,
        fake_follower_share
    from read_parquet('{{ score_files }}', union_by_name = true, hive_partitioning = false)
    where fake_follower_share is not null
    {%- else -%}
    -- before the first scoring: no scores yet, same columns
    select null::varchar as account_key, null::varchar as platform, null::varchar as account_id,
        null::date as logical_date, null::bigint as followers_scored,
        null::double as fake_follower_share
    where false
    {%- endif %}

),

trailing_scores as (

    select
        account_key,
        platform,
        logical_date as observed_date,
        followers_scored,
        fake_follower_share as fake_follower_share_of_day,
        avg(fake_follower_share) over trailing_days as fake_follower_share,
        count(*) over trailing_days as follower_sample_days,
        sum(followers_scored) over trailing_days as followers_scored_in_window
    from scores
    window trailing_days as (
        partition by account_key
        order by logical_date
        range between interval {{ window_days - 1 }} day preceding and current row
    )

)

select
    *,
    median(fake_follower_share) over (partition by platform, observed_date)
        as platform_fake_follower_share_median
from trailing_scores
