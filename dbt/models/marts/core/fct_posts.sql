{{
    config(
        materialized=upsert_materialization(),
        unique_key='post_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'last_observed_date'},
    )
}}

-- One row per platform post, measured at a fixed age, with its engagement metrics
-- (int_posts_measured, where they are defined).

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
    likes_status,
    comments,
    shares,
    saves,
    quotes,
    views,
    engagements,
    followers_at_publication,
    followers_observed_date,
    is_followers_at_publication_estimated,
    engagement_rate_by_followers,
    engagement_rate_by_views
from {{ ref('int_posts_measured') }}
{% if is_incremental() %}
-- Recompute every post observed since the cutoff, so that late observations and posts
-- reaching the fixed age replace their earlier rows.
where last_observed_date >= {{ incremental_cutoff('last_observed_date') }}
{% endif %}
{{ cluster_by('last_observed_date') }}
