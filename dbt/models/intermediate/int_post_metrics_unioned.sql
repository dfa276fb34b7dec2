{{ config(materialized='table') }}

-- One row per platform post per observed date: the post's cumulative counts at the end of
-- that date, all platforms in one vocabulary. A date extracted twice keeps its latest
-- extraction (ties resolve to the highest counts so every build picks the same row).

with

post_metrics as (

    {{ union_platforms('post_metrics', [
        'post_id', 'account_id', 'platform',
        'likes', 'comments', 'shares', 'saves', 'quotes', 'views',
        'observed_date', 'extracted_at',
    ]) }}

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
