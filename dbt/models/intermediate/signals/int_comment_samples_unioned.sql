{{ config(materialized='table') }}

-- One row per sampled comment (first sampling kept): the comment samples of every platform
-- that exposes them to a third party (Instagram does not), with the text normalised for the
-- comment signals. A post is sampled on the days it is young (kolpipe.extract.base:
-- COMMENT_SAMPLE_DAYS), so one comment can be landed twice; it counts once.
--  * comment_text_normalized: lower case, whitespace collapsed; what "verbatim duplicate" compares.
--  * is_emoji_only: no letter and no digit at all ("🔥🔥🔥", "❤️", "!!!").
--  * is_generic: emoji-only, a stock phrase (the list below, after removing emoji and
--    punctuation), or too short to be about the post: at most 3 words and 15 letters (in Han
--    script, where words are not spaced, at most 4 characters).
-- author_id is null on TikTok: its Research API returns comments without their author.

{%- set comment_platforms = ['youtube', 'tiktok', 'x', 'weibo'] %}
{%- set stock_phrases = [
    'nice', 'nice pic', 'nice post', 'love it', 'love this', 'amazing', 'so cool', 'cool',
    'wow', 'great', 'great post', 'great content', 'awesome', 'beautiful', 'first',
    'super', 'genial', 'precioso', 'toll', 'mega', 'skaisti', 'lieliski',
    '赞', '好看', '太棒了', '支持', '厉害', '沙发',
] %}

with

samples as (

    {{ union_platforms('comment_samples', [
        'platform', 'account_id', 'comment_id', 'post_id', 'author_id', 'comment_text',
        'published_at', 'observed_date',
    ], platforms=comment_platforms) }}

),

first_sampled as (

    select
        platform,
        account_id,
        comment_id,
        {{ arg_min('post_id', 'observed_date') }} as post_id,
        {{ arg_min('author_id', 'observed_date') }} as author_id,
        {{ arg_min('comment_text', 'observed_date') }} as comment_text,
        {{ arg_min('published_at', 'observed_date') }} as published_at,
        min(observed_date) as first_sampled_date
    from samples
    where comment_id is not null and comment_text is not null
    group by platform, account_id, comment_id

),

normalized as (

    select
        *,
        -- replace_all_flag(): every match, not only the first (macros/cross_db/functions.sql)
        lower(trim(regexp_replace(comment_text, '\s+', ' '{{ replace_all_flag() }})))
            as comment_text_normalized,
        trim(regexp_replace(
            lower(regexp_replace(comment_text, '[^\p{L}\p{N}\s]', ''{{ replace_all_flag() }})),
            '\s+', ' '{{ replace_all_flag() }})) as comment_words,
        {{ contains_han_script('comment_text') }} as is_han_script
    from first_sampled

)

select
    platform || ':' || account_id as account_key,
    platform,
    account_id,
    comment_id,
    post_id,
    author_id,
    comment_text,
    comment_text_normalized,
    published_at,
    first_sampled_date,
    comment_words = '' as is_emoji_only,
    comment_words = ''
        or comment_words in (
            {%- for phrase in stock_phrases %}
            '{{ phrase }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        or (is_han_script and length(replace(comment_words, ' ', '')) <= 4)
        or (not is_han_script and {{ split_count('comment_words', ' ') }} <= 3
            and length(replace(comment_words, ' ', '')) <= 15)
        as is_generic
from normalized
