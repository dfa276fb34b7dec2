-- One row per platform post, measured at a fixed age (int_posts_at_fixed_age), with its
-- engagements and engagement rates: the engagement metrics are defined here and nowhere else.
-- fct_posts publishes it; the gate's signals and the period performance read it here, so the
-- intermediate layer never reads a mart. A view: the metrics are per-row arithmetic, and a
-- reader's date filter reaches the table below.

with

posts as (

    select * from {{ ref('int_posts_at_fixed_age') }}

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
    {{ safe_divide('engagements', 'followers_at_publication') }} as engagement_rate_by_followers,
    {{ safe_divide('engagements', 'views') }} as engagement_rate_by_views
from measured
