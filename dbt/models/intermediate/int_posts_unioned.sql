{{ config(materialized='table') }}

-- One row per platform post: its latest observed attributes, the dates it was seen, and
-- whether it is sponsored (the platform's paid-partnership flag, or a disclosure tag from
-- the sponsored_disclosure_tags seed in its caption; the tag rule is documented there).

with

post_observations as (

    {{ union_platforms('posts', [
        'post_id', 'account_id', 'platform', 'caption', 'media_type',
        'is_paid_partnership', 'published_at', 'observed_date', 'extracted_at',
    ]) }}

),

disclosure_tags as (

    select lower(tag) as tag from {{ ref('sponsored_disclosure_tags') }}

),

latest_observation as (

    select
        *,
        min(observed_date) over post_window as first_observed_date,
        max(observed_date) over post_window as last_observed_date,
        bool_or(is_paid_partnership) over post_window as has_paid_partnership_flag
    from post_observations
    window post_window as (partition by platform, post_id)
    qualify row_number() over (
        partition by platform, post_id
        order by observed_date desc, extracted_at desc
    ) = 1

),

caption_tokens as (

    select
        platform,
        post_id,
        lower(caption) as caption,
        regexp_extract_all(lower(caption), '#[\p{L}\p{N}\p{M}_]+', 0) as hashtags
    from latest_observation

),

tagged_posts as (

    -- a '#' tag must be one of the caption's whole hashtags; other tags (广告, 合作) may
    -- appear anywhere in the text
    select distinct caption_tokens.platform, caption_tokens.post_id
    from caption_tokens
    inner join disclosure_tags
        on case
            when left(disclosure_tags.tag, 1) = '#'
                then array_contains(caption_tokens.hashtags, disclosure_tags.tag)
            else contains(caption_tokens.caption, disclosure_tags.tag)
        end

)

select
    latest_observation.platform || ':' || latest_observation.post_id as post_key,
    latest_observation.post_id,
    latest_observation.platform,
    latest_observation.platform || ':' || latest_observation.account_id as account_key,
    latest_observation.account_id,
    latest_observation.caption,
    latest_observation.media_type,
    coalesce(latest_observation.has_paid_partnership_flag, false)
        or tagged_posts.post_id is not null as is_sponsored,
    latest_observation.published_at,
    cast(latest_observation.published_at as date) as published_date,
    latest_observation.first_observed_date,
    latest_observation.last_observed_date
from latest_observation
left join tagged_posts
    on latest_observation.platform = tagged_posts.platform
    and latest_observation.post_id = tagged_posts.post_id
