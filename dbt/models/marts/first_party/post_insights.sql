{{
    config(
        materialized=upsert_materialization(),
        unique_key='post_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per post of an authorized account with first-party insights: its lifetime metrics
-- at the latest date they were observed (each metric's latest extraction of that date), null
-- where the platform did not give the metric on that date. A day's run recomputes the posts
-- observed since the cutoff (whose latest date is then since the cutoff too).

{%- set metrics = ['reach', 'views', 'impressions', 'saves', 'shares', 'interactions'] %}

with

post_metrics as (

    select * from {{ ref('int_creator_insights_unioned') }}
    where
        post_id is not null and period = 'lifetime'
        {{ since_incremental_cutoff('metric_date', 'observed_date', keyword='and') }}

),

latest as (

    select * from post_metrics
    qualify metric_date = max(metric_date) over (partition by post_key)

)

select
    post_key,
    platform,
    post_id,
    account_key,
    account_id,
    {%- for metric in metrics %}
    max(case when metric_name = '{{ metric }}' then value end) as {{ metric }},
    {%- endfor %}
    metric_date as observed_date,
    true as is_first_party
from latest
group by post_key, platform, post_id, account_key, account_id, metric_date
{{ cluster_by('observed_date') }}
