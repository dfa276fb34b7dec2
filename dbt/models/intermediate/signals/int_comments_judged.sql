{{ config(materialized='table') }}

-- One row per sampled comment (int_comment_samples_unioned), dated by the day its post was
-- first sampled and judged against the account's window of var('comment_signal_days') days up
-- to that post (int_comment_signals_daily adds the judgements up per day):
--  * is_duplicate: its exact text (case and spacing aside) is on another of the account's
--    posts sampled in the window: farms paste the same lines everywhere.
--  * is_by_ring: its author is a recurring commenter: counting this post, on at least half of
--    the account's sampled posts of the window, and on 3 or more. Never on TikTok, whose
--    comments have no author.
-- Each comment is judged once, against the window up to its own post, so the daily windows
-- only add up per-post counts. A table: the daily model reads it twice.

{%- set window_days = var('comment_signal_days') %}

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
        dated_comments.platform,
        dated_comments.account_id,
        dated_comments.comment_id,
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

)

select * from judged_comments
