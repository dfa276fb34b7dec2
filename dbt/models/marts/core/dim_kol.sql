-- One row per KOL in the registry: who they are and on which platforms they have accounts
-- (as of the KOL's latest registry entry).

with

registry as (

    select * from {{ ref('stg_registry__accounts') }}

),

latest_registry_date as (

    select max(observed_date) as observed_date from registry

),

kol_latest_entries as (

    select * from registry
    qualify observed_date = max(observed_date) over (partition by kol_id)

)

select
    kol_latest_entries.kol_id,
    min(kol_latest_entries.display_name) as display_name,
    min(kol_latest_entries.niche) as niche,
    min(kol_latest_entries.language) as language,
    string_agg(distinct kol_latest_entries.platform, ',' order by kol_latest_entries.platform)
        as platforms,
    cast(count(distinct kol_latest_entries.platform) as integer) as platform_count,
    min(kol_latest_entries.observed_date) = min(latest_registry_date.observed_date)
        as is_in_latest_registry
from kol_latest_entries
cross join latest_registry_date
group by kol_latest_entries.kol_id
