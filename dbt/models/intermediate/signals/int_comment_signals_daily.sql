{{ config(materialized='table') }}

-- One row per platform account per observed date on the platforms with comment samples: what
-- the comments on the account's recent posts look like, over the posts first sampled in the
-- trailing var('comment_signal_days') days (evidence: the day, the value, the platform's
-- median that day).
--  * generic_comment_share: emoji-only, stock or contentless comments
--    (int_comment_samples_unioned).
--  * duplicate_comment_share: comments whose exact text was already written on another of the
--    account's posts in the window up to their own post (int_comments_judged).
--  * ring_comment_share: comments written by a recurring commenter (int_comments_judged).
--    ring_commenters counts the distinct recurring authors in the window and
--    ring_registered_commenters those that are themselves accounts in our registry (pods are
--    rings of creators). Null on TikTok, whose comments have no author.
-- The shares are null below var('min_comment_posts') posts or 20 comments in the window.

{%- set window_days = var('comment_signal_days') %}
{%- set min_posts = var('min_comment_posts') %}

with

judged_comments as (

    select * from {{ ref('int_comments_judged') }}

),

post_counts as (

    select
        account_key,
        post_id,
        post_sampled_date,
        count(*) as comments,
        count(author_id) as comments_with_author,
        count_if(is_generic) as generic_comments,
        count_if(is_emoji_only) as emoji_only_comments,
        count_if(is_duplicate) as duplicate_comments,
        count_if(is_by_ring) as ring_comments
    from judged_comments
    group by account_key, post_id, post_sampled_date

),

ring_members as (

    select distinct account_key, author_id, post_sampled_date
    from judged_comments
    where is_by_ring

),

registered as (

    select distinct platform, account_id from {{ ref('int_registry_latest') }}

),

account_days as (

    select account_days.account_key, account_days.platform, account_days.observed_date
    from {{ ref('int_account_days_with_growth') }} as account_days
    where account_days.account_key in (
        select distinct sampled.account_key
        from {{ ref('int_comment_samples_unioned') }} as sampled
    )

),

window_totals as (

    select
        account_days.account_key,
        account_days.observed_date,
        count(*) as comment_posts_sampled,
        sum(post_counts.comments) as comments_sampled,
        sum(post_counts.comments_with_author) as comments_with_author,
        sum(post_counts.generic_comments) as generic_comments,
        sum(post_counts.emoji_only_comments) as emoji_only_comments,
        sum(post_counts.duplicate_comments) as duplicate_comments,
        sum(post_counts.ring_comments) as ring_comments
    from account_days
    inner join post_counts
        on account_days.account_key = post_counts.account_key
        and post_counts.post_sampled_date
            between account_days.observed_date - {{ window_days - 1 }}
            and account_days.observed_date
    group by account_days.account_key, account_days.observed_date

),

window_rings as (

    select
        account_days.account_key,
        account_days.observed_date,
        count(distinct ring_members.author_id) as ring_commenters,
        count(distinct registered.account_id) as ring_registered_commenters
    from account_days
    inner join ring_members
        on account_days.account_key = ring_members.account_key
        and ring_members.post_sampled_date
            between account_days.observed_date - {{ window_days - 1 }}
            and account_days.observed_date
    left join registered
        on account_days.platform = registered.platform
        and ring_members.author_id = registered.account_id
    group by account_days.account_key, account_days.observed_date

),

signals as (

    select
        account_days.account_key,
        account_days.platform,
        account_days.observed_date,
        window_totals.comment_posts_sampled,
        window_totals.comments_sampled,
        coalesce(window_rings.ring_commenters, 0) as ring_commenters,
        coalesce(window_rings.ring_registered_commenters, 0) as ring_registered_commenters,
        {%- for share, count, total in [
            ('generic', 'generic_comments', 'comments_sampled'),
            ('emoji_only', 'emoji_only_comments', 'comments_sampled'),
            ('duplicate', 'duplicate_comments', 'comments_sampled'),
            ('ring', 'ring_comments', 'comments_with_author'),
        ] %}
        case
            when window_totals.comment_posts_sampled >= {{ min_posts }}
                and window_totals.comments_sampled >= 20
            then {{ safe_divide('window_totals.' ~ count, 'window_totals.' ~ total) }}
        end as {{ share }}_comment_share{{ "," if not loop.last }}
        {%- endfor %}
    from account_days
    inner join window_totals
        on account_days.account_key = window_totals.account_key
        and account_days.observed_date = window_totals.observed_date
    left join window_rings
        on account_days.account_key = window_rings.account_key
        and account_days.observed_date = window_rings.observed_date

)

select
    *,
    median(generic_comment_share) over platform_day as platform_generic_comment_share_median,
    median(duplicate_comment_share) over platform_day
        as platform_duplicate_comment_share_median,
    median(ring_comment_share) over platform_day as platform_ring_comment_share_median
from signals
window platform_day as (partition by platform, observed_date)
