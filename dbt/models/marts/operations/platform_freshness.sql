-- One row per platform: the newest day whose data landed, against the newest day any platform
-- landed, so a dashboard can say "X data is stale since ...". Derived from the landed snapshots
-- only (not from the run's date), so reruns and backfills in any order give the same rows.

with

as_of as (

    select max(observed_date) as as_of_date from {{ ref('int_accounts_unioned') }}

),

platforms as (

    select distinct platform from {{ ref('int_registry_latest') }}

),

last_landed as (

    select
        platform,
        max(observed_date) as last_landed_date
    from {{ ref('int_accounts_unioned') }}
    group by platform

)

select
    platforms.platform,
    as_of.as_of_date,
    last_landed.last_landed_date,
    coalesce(last_landed.last_landed_date < as_of.as_of_date, true) as is_stale,
    case
        when last_landed.last_landed_date is null then null
        when last_landed.last_landed_date < as_of.as_of_date
            then cast(last_landed.last_landed_date + interval 1 day as date)
    end as stale_since,
    cast({{ days_between('last_landed.last_landed_date', 'as_of.as_of_date') }} as integer)
        as days_behind
from platforms
cross join as_of
left join last_landed on platforms.platform = last_landed.platform
