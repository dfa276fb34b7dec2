-- One row per KOL in the registry: who they are, on which platforms they have accounts (as of
-- the KOL's latest registry entry), the current tier and lifecycle stage of each account, and
-- the KOL's own lifecycle stage: the stage of its largest account that has not churned
-- (its main audience), or churned when every account with a stage has.

with

registry as (

    -- each KOL-account pair's newest entry: enough for each KOL's latest listing
    select * from {{ ref('int_registry_latest') }}

),

latest_registry_date as (

    select max(observed_date) as observed_date from registry

),

kol_latest_entries as (

    select * from registry
    qualify observed_date = max(observed_date) over (partition by kol_id)

),

kols as (

    select
        kol_latest_entries.kol_id,
        min(kol_latest_entries.display_name) as display_name,
        min(kol_latest_entries.niche) as niche,
        min(kol_latest_entries.language) as language,
        {{ sorted_distinct_string_agg('kol_latest_entries.platform', ',') }}
            as platforms,
        cast(count(distinct kol_latest_entries.platform) as integer) as platform_count,
        min(kol_latest_entries.observed_date) = min(latest_registry_date.observed_date)
            as is_in_latest_registry
    from kol_latest_entries
    cross join latest_registry_date
    group by kol_latest_entries.kol_id

),

kol_accounts as (

    select kol_id, platform, followers, tier, lifecycle_stage
    from {{ ref('dim_account') }}
    where kol_id is not null

),

account_stages as (

    select
        kol_id,
        {%- for platform in var('platforms') %}
        max(tier) filter (where platform = '{{ platform }}') as {{ platform }}_tier,
        max(lifecycle_stage) filter (where platform = '{{ platform }}')
            as {{ platform }}_lifecycle_stage,
        {%- endfor %}
        -- accounts without a stage (never observed, or growth unknown) are left out
        case
            when bool_and(lifecycle_stage = 'churned') then 'churned'
            else {{ first_by('lifecycle_stage', [['followers', 'desc'], ['platform', 'asc']]) }}
                filter (where lifecycle_stage != 'churned')
        end as lifecycle_stage
    from kol_accounts
    group by kol_id

)

select
    kols.kol_id,
    kols.display_name,
    kols.niche,
    kols.language,
    kols.platforms,
    kols.platform_count,
    {%- for platform in var('platforms') %}
    account_stages.{{ platform }}_tier,
    {%- endfor %}
    {%- for platform in var('platforms') %}
    account_stages.{{ platform }}_lifecycle_stage,
    {%- endfor %}
    account_stages.lifecycle_stage,
    kols.is_in_latest_registry
from kols
left join account_stages on kols.kol_id = account_stages.kol_id
