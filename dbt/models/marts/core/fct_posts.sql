{{
    config(
        materialized=upsert_materialization(),
        unique_key='post_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'last_observed_date'},
    )
}}

-- One row per platform post, measured at a fixed age (see int_posts_at_fixed_age): the
-- engagement metrics are defined here and nowhere else.

with

posts as (

    select * from {{ ref('int_posts_at_fixed_age') }}
    {% if is_incremental() %}
    -- Recompute every post observed since the cutoff, so that late observations and posts
    -- reaching the fixed age replace their earlier rows.
    where last_observed_date >= {{ incremental_cutoff('last_observed_date') }}
    {% endif %}

),

measured as (

    select
        *,
        {{ engagements('platform') }} as engagements
    from posts

)

select
    post_key,
    post_id,
    platform,
    account_key,
    account_id,
    caption,
    media_type,
    is_sponsored,
    published_at,
    published_date,
    first_observed_date,
    last_observed_date,
    metrics_observed_date,
    metrics_age_days,
    is_immature,
    likes,
    comments,
    shares,
    saves,
    quotes,
    views,
    engagements,
    followers_at_publication,
    followers_observed_date,
    is_followers_at_publication_estimated,
    {{ safe_divide('engagements', 'followers_at_publication') }} as engagement_rate_by_followers,
    {{ safe_divide('engagements', 'views') }} as engagement_rate_by_views
from measured
{{ cluster_by('last_observed_date') }}
