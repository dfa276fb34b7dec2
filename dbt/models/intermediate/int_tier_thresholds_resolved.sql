-- One row per platform per tier: the platform's own rows of the tier_thresholds seed when it
-- has any, else the default rows (platform '*').

with

thresholds as (

    select * from {{ ref('tier_thresholds') }}

),

platforms as (

    {{ values_as_rows(var('platforms'), 'platform') }}

)

select
    platforms.platform,
    thresholds.tier,
    thresholds.min_followers,
    thresholds.max_followers
from platforms
inner join thresholds
    on platforms.platform = thresholds.platform
    or (
        thresholds.platform = '*'
        and not exists (select 1 from thresholds as own where own.platform = platforms.platform)
    )
