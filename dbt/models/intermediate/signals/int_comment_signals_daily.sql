{{ config(materialized='table') }}

-- One row per platform account per observed date on the platforms with comment samples: what
-- the comments on the account's recent posts look like, over the posts first sampled in the
-- trailing var('comment_signal_days') days (evidence: the day, the value, the platform's
-- median that day).
--  * generic_comment_share: emoji-only, stock or contentless comments (int_comment_samples_unioned).
--  * duplicate_comment_share: comments whose exact text (case and spacing aside) also appears
--    on another of the account's posts in the window: farms paste the same lines everywhere.
--  * ring_comment_share: comments written by the recurring commenters, the authors found on at
--    least half of the sampled posts (and on 3 or more); ring_commenters counts them and
--    ring_registered_commenters those that are themselves accounts in our registry (pods are
--    rings of creators). Null on TikTok (no authors).
-- A signal needs at least var('min_comment_posts') posts and 20 comments in the window.

{%- set window_days = var('comment_signal_days', 28) %}
{%- set min_posts = var('min_comment_posts', 3) %}

with

comments as (

    select * from {{ ref('int_comment_samples_unioned') }}

),

post_samples as (

    -- a post belongs to the window of the day it was first sampled
    select account_key, post_id, min(first_sampled_date) as post_sampled_date
    from comments
    group by account_key, post_id

),

account_days as (

    select account_key, platform, observed_date
    from {{ ref('int_account_days_with_growth') }}
    where account_key in (select distinct account_key from comments)

),

window_posts as (

    select
        account_days.account_key,
        account_days.observed_date,
        post_samples.post_id
    from account_days
    inner join post_samples
        on account_days.account_key = post_samples.account_key
        and post_samples.post_sampled_date
            between account_days.observed_date - {{ window_days - 1 }}
            and account_days.observed_date

),

window_comments as (

    select
        window_posts.account_key,
        window_posts.observed_date,
        comments.post_id,
        comments.author_id,
        comments.comment_text_normalized,
        comments.is_generic,
        comments.is_emoji_only
    from window_posts
    inner join comments
        on window_posts.account_key = comments.account_key
        and window_posts.post_id = comments.post_id

),

text_spread as (

    select
        account_key,
        observed_date,
        comment_text_normalized,
        count(distinct post_id) as posts_with_text
    from window_comments
    group by all

),

author_spread as (

    select
        account_key,
        observed_date,
        author_id,
        count(distinct post_id) as posts_with_author,
        count(*) as comments_by_author
    from window_comments
    where author_id is not null
    group by all

),

window_totals as (

    select
        account_key,
        observed_date,
        count(distinct post_id) as comment_posts_sampled,
        count(*) as comments_sampled,
        count(author_id) as comments_with_author,
        avg(is_generic::int) as generic_share,
        avg(is_emoji_only::int) as emoji_only_share
    from window_comments
    group by account_key, observed_date

),

duplicates as (

    select
        window_comments.account_key,
        window_comments.observed_date,
        count(*) as duplicate_comments
    from window_comments
    inner join text_spread
        on window_comments.account_key = text_spread.account_key
        and window_comments.observed_date = text_spread.observed_date
        and window_comments.comment_text_normalized = text_spread.comment_text_normalized
    where text_spread.posts_with_text >= 2
    group by all

),

registered as (

    select distinct platform, account_id from {{ ref('stg_registry__accounts') }}

),

rings as (

    select
        author_spread.account_key,
        author_spread.observed_date,
        count(*) as ring_commenters,
        count(registered.account_id) as ring_registered_commenters,
        sum(author_spread.comments_by_author) as ring_comments
    from author_spread
    inner join window_totals
        on author_spread.account_key = window_totals.account_key
        and author_spread.observed_date = window_totals.observed_date
    left join registered
        on split_part(author_spread.account_key, ':', 1) = registered.platform
        and author_spread.author_id = registered.account_id
    where author_spread.posts_with_author >= greatest(3, 0.5 * window_totals.comment_posts_sampled)
    group by all

),

signals as (

    select
        account_days.account_key,
        account_days.platform,
        account_days.observed_date,
        window_totals.comment_posts_sampled,
        window_totals.comments_sampled,
        (window_totals.comment_posts_sampled >= {{ min_posts }}
            and window_totals.comments_sampled >= 20) as has_comment_evidence,
        window_totals.generic_share,
        window_totals.emoji_only_share,
        coalesce(duplicates.duplicate_comments, 0) / window_totals.comments_sampled
            as duplicate_share,
        coalesce(rings.ring_commenters, 0) as ring_commenters,
        coalesce(rings.ring_registered_commenters, 0) as ring_registered_commenters,
        case when window_totals.comments_with_author > 0
            then coalesce(rings.ring_comments, 0) / window_totals.comments_with_author
        end as ring_share
    from account_days
    inner join window_totals
        on account_days.account_key = window_totals.account_key
        and account_days.observed_date = window_totals.observed_date
    left join duplicates
        on account_days.account_key = duplicates.account_key
        and account_days.observed_date = duplicates.observed_date
    left join rings
        on account_days.account_key = rings.account_key
        and account_days.observed_date = rings.observed_date

),

judged as (

    select
        account_key,
        platform,
        observed_date,
        comment_posts_sampled,
        comments_sampled,
        ring_commenters,
        ring_registered_commenters,
        case when has_comment_evidence then generic_share end as generic_comment_share,
        case when has_comment_evidence then emoji_only_share end as emoji_only_comment_share,
        case when has_comment_evidence then duplicate_share end as duplicate_comment_share,
        case when has_comment_evidence then ring_share end as ring_comment_share
    from signals

)

select
    *,
    median(generic_comment_share) over platform_day as platform_generic_comment_share_median,
    median(duplicate_comment_share) over platform_day
        as platform_duplicate_comment_share_median,
    median(ring_comment_share) over platform_day as platform_ring_comment_share_median
from judged
window platform_day as (partition by platform, observed_date)
