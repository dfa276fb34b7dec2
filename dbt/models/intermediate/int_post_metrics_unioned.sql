{{
    config(
        materialized=upsert_materialization(),
        unique_key=['post_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform post per observed date: the post's cumulative counts at the end of
-- that date, all platforms in one vocabulary. A date extracted twice keeps its latest
-- extraction (ties resolve to the highest counts so every build picks the same row).

with

post_metrics as (

    {{ union_platforms('post_metrics', [
        'post_id', 'account_id', 'platform',
        'likes', 'likes_status', 'comments', 'shares', 'saves', 'quotes', 'views',
        'observed_date', 'extracted_at',
    ], where=since_incremental_cutoff('observed_date', 'observed_date', keyword='')) }}

)

select
    platform || ':' || post_id as post_key,
    *
from post_metrics
qualify row_number() over (
    partition by platform, post_id, observed_date
    order by extracted_at desc, likes desc nulls last, comments desc nulls last,
        views desc nulls last
) = 1
{{ cluster_by('observed_date') }}
