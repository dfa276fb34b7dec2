{{
    config(
        materialized=upsert_materialization(),
        unique_key=['kol_id', 'account_key'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
    )
}}

-- One row per KOL and platform account the registry has ever paired: the pair's newest
-- registry entry (with its access, public or authorized). What the dimensions need of the
-- registry's daily snapshots (each account's current KOL and access, each KOL's latest
-- listing), kept so that a day's run reads the snapshots since the cutoff and this table, not
-- every snapshot since the registry began.

{%- set columns = ['kol_id', 'account_key', 'platform', 'account_id', 'display_name', 'niche',
                   'language', 'handle', 'access', 'observed_date'] %}

with

entries as (

    select
        kol_id,
        platform || ':' || account_id as account_key,
        platform,
        account_id,
        display_name,
        niche,
        language,
        handle,
        access,
        observed_date,
        1 as recency_rank
    from {{ ref('stg_registry__accounts') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}
    {%- if is_incremental() %}

    union all

    -- a pair not listed since the cutoff keeps the newest entry it had
    select {{ columns | join(', ') }}, 2 as recency_rank
    from {{ this }}
    {%- endif %}

)

select {{ columns | join(', ') }}
from entries
qualify row_number() over (
    partition by kol_id, account_key
    order by observed_date desc, recency_rank asc
) = 1
