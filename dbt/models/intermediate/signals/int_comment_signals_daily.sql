{{ config(materialized='table') }}

-- One row per platform account per observed date on the platforms with comment samples: what
-- the comments on the account's recent posts look like, over the posts first sampled in the
-- trailing var('comment_signal_days') days (evidence: the day, the value, the platform's
-- median that day).
--  * generic_comment_share: emoji-only, stock or contentless comments (int_comment_samples_unioned).
--  * duplicate_comment_share: comments whose exact text (case and spacing aside) was already
--    written on another of the account's posts in the var('comment_signal_days') days up to
--    their own post: farms paste the same lines everywhere.
--  * ring_comment_share: comments written by a recurring commenter: an author who, counting the
--    post commented on, commented on at least half of the account's sampled posts of the
--    var('comment_signal_days') days up to it, and on 3 or more. ring_commenters counts the
--    distinct recurring authors in the window and ring_registered_commenters those that are
--    themselves accounts in our registry (pods are rings of creators). Null on TikTok, whose
--    comments have no author.
-- Each comment is judged once, against the window up to its own post, so the daily windows
-- only add up per-post counts. The shares are null below var('min_comment_posts') posts or
-- 20 comments in the window.

{%- set window_days = var('comment_signal_days', 28) %}
{%- set min_posts = var('min_comment_posts', 3) %}

with

comments as (

    select * from {{ ref('int_comment_samples_unioned') }}

),

post_samples as (

    -- a post belongs to the window of the day it was first sampled
    select
        account_key,
        post_id,
        min(first_sampled_date) as post_sampled_date
    from comments
    group by account_key, post_id

),

posts_in_trailing_window as (

    select
        *,
        count(*) over (
            partition by account_key order by post_sampled_date
            range between interval {{ window_days - 1 }} day preceding and current row
        ) as account_posts_in_window
    from post_samples

),

dated_comments as (

    select
        comments.*,
        post_samples.post_sampled_date
    from comments
    inner join post_samples
        on comments.account_key = post_samples.account_key
        and comments.post_id = post_samples.post_id

),

text_on_posts as (

    select distinct account_key, comment_text_normalized, post_id, post_sampled_date
    from dated_comments

),

repeated_texts as (

    -- posts, up to and including this one, that carry the text within the window
    select
        *,
        count(*) over (
            partition by account_key, comment_text_normalized order by post_sampled_date
            range between interval {{ window_days - 1 }} day preceding and current row
        ) as posts_with_text
    from text_on_posts

),

author_on_posts as (

    select distinct account_key, author_id, post_id, post_sampled_date
    from dated_comments
    where author_id is not null

),

recurring_authors as (

    select
        author_on_posts.*,
        count(*) over (
            partition by author_on_posts.account_key, author_on_posts.author_id
            order by author_on_posts.post_sampled_date
            range between interval {{ window_days - 1 }} day preceding and current row
        ) as posts_with_author,
        posts_in_trailing_window.account_posts_in_window
    from author_on_posts
    inner join posts_in_trailing_window
        on author_on_posts.account_key = posts_in_trailing_window.account_key
        and author_on_posts.post_id = posts_in_trailing_window.post_id

),

judged_comments as (

    select
        dated_comments.account_key,
        dated_comments.post_id,
        dated_comments.post_sampled_date,
        dated_comments.author_id,
        dated_comments.is_generic,
        dated_comments.is_emoji_only,
        coalesce(repeated_texts.posts_with_text >= 2, false) as is_duplicate,
        coalesce(recurring_authors.posts_with_author >= greatest(
            3, 0.5 * recurring_authors.account_posts_in_window), false) as is_by_ring
    from dated_comments
    inner join repeated_texts
        on dated_comments.account_key = repeated_texts.account_key
        and dated_comments.post_id = repeated_texts.post_id
        and dated_comments.comment_text_normalized = repeated_texts.comment_text_normalized
    left join recurring_authors
        on dated_comments.account_key = recurring_authors.account_key
        and dated_comments.post_id = recurring_authors.post_id
        and dated_comments.author_id = recurring_authors.author_id

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

    select account_key, platform, observed_date
    from {{ ref('int_account_days_with_growth') }}
    where account_key in (select distinct account_key from post_samples)

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

judged as (

    select
        account_days.account_key,
        account_days.platform,
        account_days.observed_date,
        window_totals.comment_posts_sampled,
        window_totals.comments_sampled,
        coalesce(window_rings.ring_commenters, 0) as ring_commenters,
        coalesce(window_rings.ring_registered_commenters, 0) as ring_registered_commenters,
        window_totals.comment_posts_sampled >= {{ min_posts }}
            and window_totals.comments_sampled >= 20 as has_comment_evidence,
        window_totals.generic_comments / window_totals.comments_sampled as generic_share,
        window_totals.emoji_only_comments / window_totals.comments_sampled as emoji_only_share,
        window_totals.duplicate_comments / window_totals.comments_sampled as duplicate_share,
        {{ safe_divide('window_totals.ring_comments', 'window_totals.comments_with_author') }}
            as ring_share
    from account_days
    inner join window_totals
        on account_days.account_key = window_totals.account_key
        and account_days.observed_date = window_totals.observed_date
    left join window_rings
        on account_days.account_key = window_rings.account_key
        and account_days.observed_date = window_rings.observed_date

),

signals as (

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
    from judged

)

select
    *,
    median(generic_comment_share) over platform_day as platform_generic_comment_share_median,
    median(duplicate_comment_share) over platform_day
        as platform_duplicate_comment_share_median,
    median(ring_comment_share) over platform_day as platform_ring_comment_share_median
from signals
window platform_day as (partition by platform, observed_date)
