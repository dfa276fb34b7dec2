-- Conservation: every post landed by any platform reaches fct_posts once, none appears from
-- nowhere. A daily run checks the posts seen on the dates it recomputed (a post landed on such
-- a date has its last_observed_date on or after it, and only such a post has).
with

staged as (

    {%- for platform in var('platforms') %}
    select distinct '{{ platform }}:' || post_id as post_key
    from {{ ref('stg_' ~ platform ~ '__posts') }}
    where {{ on_recomputed_dates('observed_date') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

measured as (

    select post_key from {{ ref('fct_posts') }}
    where {{ on_recomputed_dates('last_observed_date') }}

)

select coalesce(staged.post_key, measured.post_key) as post_key,
       staged.post_key is null as missing_from_staging,
       measured.post_key is null as missing_from_fct_posts
from staged
full outer join measured on staged.post_key = measured.post_key
where staged.post_key is null or measured.post_key is null
