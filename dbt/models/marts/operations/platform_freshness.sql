-- One row per platform: the newest day whose data landed, as of the run's logical date, so a
-- dashboard can say "X data is stale since ...". Derived from the landed snapshots only, so a
-- rerun or a backfill of any date gives the same rows.

with

as_of as (

    {% if var('logical_date', none) -%}
    select cast('{{ var("logical_date") }}' as date) as as_of_date
    {%- else -%}
    select max(observed_date) as as_of_date from {{ ref('int_accounts_unioned') }}
    {%- endif %}

),

platforms as (

    select distinct platform from {{ ref('stg_registry__accounts') }}

),

last_landed as (

    select
        accounts.platform,
        max(accounts.observed_date) as last_landed_date
    from {{ ref('int_accounts_unioned') }} as accounts
    cross join as_of
    where accounts.observed_date <= as_of.as_of_date
    group by accounts.platform

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
    cast(date_diff('day', last_landed.last_landed_date, as_of.as_of_date) as integer)
        as days_behind
from platforms
cross join as_of
left join last_landed on last_landed.platform = platforms.platform
