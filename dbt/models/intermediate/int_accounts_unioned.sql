{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date, all platforms in one vocabulary.
-- A date re-extracted into the same partition keeps only its latest extraction (ties, which
-- the staging tests warn about, resolve to the highest count so every build picks the same row).

with

accounts as (

    {{ union_platforms('accounts', [
        'account_id', 'platform', 'handle', 'display_name', 'bio',
        'followers', 'following', 'posts_count', 'observed_date', 'extracted_at',
    ], where=since_incremental_cutoff('observed_date', 'observed_date', keyword='')) }}

)

select
    platform || ':' || account_id as account_key,
    *
from accounts
qualify row_number() over (
    partition by platform, account_id, observed_date
    order by extracted_at desc, followers desc nulls last, posts_count desc nulls last
) = 1
{{ cluster_by('observed_date') }}
