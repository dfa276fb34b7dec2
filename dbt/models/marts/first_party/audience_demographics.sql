{{
    config(
        materialized=upsert_materialization(),
        unique_key='account_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per authorized account, audience dimension and bucket, on the account's latest
-- observed date: the bucket's value as the platform gave it and its share of the dimension
-- (int_audience_shares). A day's run replaces every row of the accounts observed since the
-- cutoff (a bucket missing from the newest date goes with the older date).

with

shares as (

    select * from {{ ref('int_audience_shares') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}
    qualify observed_date = max(observed_date) over (partition by account_key)

)

select
    account_key,
    platform,
    account_id,
    dimension,
    bucket,
    share,
    value,
    unit,
    observed_date,
    true as is_first_party
from shares
{{ cluster_by('observed_date') }}
