{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: likes / comments summed over the posts
-- published in the trailing var('likes_per_comment_days') days (bought likes inflate likes,
-- never comments), against the platform's median that day. A handful of comments gives a
-- ratio of rounding noise: below 5 comments the ratio is null and left out of the median.
-- An incremental run recomputes the dates since the cutoff (each date's median is its own).

{%- set likes_days = var('likes_per_comment_days') %}

with

account_days as (

    select account_key, platform, observed_date
    from {{ ref('int_account_days_with_engagement') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

posts as (

    select account_key, published_date, likes, comments
    from {{ ref('int_posts_measured') }}
    where likes is not null and comments is not null
    {{ since_incremental_cutoff('published_date', 'observed_date', likes_days - 1, 'and') }}

),

recent_posts as (

    select
        account_days.account_key,
        account_days.observed_date,
        sum(posts.likes) as likes_recent,
        sum(posts.comments) as comments_recent,
        {{ safe_divide('sum(posts.likes)', 'sum(posts.comments)') }} as likes_per_comment
    from account_days
    inner join posts
        on account_days.account_key = posts.account_key
        and posts.published_date between account_days.observed_date - {{ likes_days - 1 }}
            and account_days.observed_date
    group by account_days.account_key, account_days.observed_date

),

rated as (

    select
        account_days.account_key,
        account_days.platform,
        account_days.observed_date,
        recent_posts.likes_recent,
        recent_posts.comments_recent,
        case when recent_posts.comments_recent >= 5
            then recent_posts.likes_per_comment end as likes_per_comment
    from account_days
    left join recent_posts
        on account_days.account_key = recent_posts.account_key
        and account_days.observed_date = recent_posts.observed_date

)

select
    account_key,
    observed_date,
    likes_recent,
    comments_recent,
    likes_per_comment,
    median(likes_per_comment) over (partition by platform, observed_date)
        as platform_likes_per_comment_median
from rated
{{ cluster_by('observed_date') }}
