{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'metric_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'metric_date'},
    )
}}

-- One row per first-party metric of an authorized account per metric date (post_id null) or
-- of a post as observed that date (its lifetime value), every platform that has insights in
-- one vocabulary (metric_name). A metric is re-read for a few days while it settles: the
-- latest observation (extracted_at) wins, ties to the highest value so every build picks the
-- same row.

with

insights as (

    {{ union_platforms('creator_insights', [
        'account_key', 'account_id', 'post_id', 'platform', 'metric', 'metric_name', 'period',
        'value', 'metric_date', 'observed_date', 'extracted_at',
    ], platforms=['instagram', 'youtube'],
       where=since_incremental_cutoff('metric_date', 'metric_date', keyword='')) }}

)

select
    account_key,
    platform,
    account_id,
    post_id,
    platform || ':' || post_id as post_key,
    metric_date,
    period,
    metric,
    metric_name,
    value,
    -- the logical date of the observation kept
    observed_date,
    extracted_at
from insights
qualify row_number() over (
    partition by platform, account_id, post_id, metric_date, period, metric
    order by extracted_at desc, value desc nulls last
) = 1
{{ cluster_by('metric_date') }}
