{{
    config(
        materialized=upsert_materialization(),
        unique_key='post_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'last_observed_date'},
    )
}}

-- One row per platform post: its latest observed attributes, the dates it was seen, and
-- whether it is sponsored (the platform's paid-partnership flag, or a disclosure tag from
-- the sponsored_disclosure_tags seed in its caption; the tag rule is documented there).
-- An incremental run recomputes the posts observed since the cutoff from those observations;
-- what came before the cutoff (the first observation, a paid-partnership flag seen then) is
-- carried over from the post's existing row, since earlier landed dates do not change.

with

post_observations as (

    {{ union_platforms('posts', [
        'post_id', 'account_id', 'platform', 'caption', 'media_type',
        'is_paid_partnership', 'published_at', 'observed_date', 'extracted_at',
    ], where=since_incremental_cutoff('observed_date', 'last_observed_date', keyword='')) }}

),

disclosure_tags as (

    select lower(tag) as tag from {{ ref('sponsored_disclosure_tags') }}

),

latest_observation as (

    select
        *,
        min(observed_date) over post_window as first_observed_date,
        max(observed_date) over post_window as last_observed_date,
        coalesce(bool_or(is_paid_partnership) over post_window, false)
            as has_paid_partnership_flag
    from post_observations
    window post_window as (partition by platform, post_id)
    qualify row_number() over (
        partition by platform, post_id
        order by observed_date desc, extracted_at desc
    ) = 1

),

{% if is_incremental() %}
{%- set cutoff = incremental_cutoff('last_observed_date') %}
carried_over as (

    -- only what the existing row knows from before the cutoff
    select
        {%- for column in ['post_id', 'account_id', 'platform', 'caption', 'media_type',
                           'published_at', 'last_observed_date'] %}
        latest_observation.{{ column }},
        {%- endfor %}
        case
            when earlier.first_observed_date < {{ cutoff }} then earlier.first_observed_date
            else latest_observation.first_observed_date
        end as first_observed_date,
        latest_observation.has_paid_partnership_flag
            or coalesce(
                earlier.first_observed_date < {{ cutoff }}
                and earlier.has_paid_partnership_flag, false)
            as has_paid_partnership_flag
    from latest_observation
    left join {{ this }} as earlier
        on latest_observation.platform = earlier.platform
        and latest_observation.post_id = earlier.post_id

),
{% endif %}
{%- set latest = 'carried_over' if is_incremental() else 'latest_observation' %}

caption_tokens as (

    select
        platform,
        post_id,
        lower(caption) as caption,
        regexp_extract_all(lower(caption), '#[\p{L}\p{N}\p{M}_]+', 0) as hashtags
    from {{ latest }}

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
    posts.platform || ':' || posts.post_id as post_key,
    posts.post_id,
    posts.platform,
    posts.platform || ':' || posts.account_id as account_key,
    posts.account_id,
    posts.caption,
    posts.media_type,
    posts.has_paid_partnership_flag,
    posts.has_paid_partnership_flag or tagged_posts.post_id is not null as is_sponsored,
    posts.published_at,
    cast(posts.published_at as date) as published_date,
    posts.first_observed_date,
    posts.last_observed_date
from {{ latest }} as posts
left join tagged_posts
    on posts.platform = tagged_posts.platform
    and posts.post_id = tagged_posts.post_id
{{ cluster_by('last_observed_date') }}
