with

source as (

    select * from {{ source('youtube', 'comment_samples') }}

),

renamed as (

    select

        ----------  ids
        id as comment_id,
        account_id,
        'youtube' as platform,
        video_id as post_id,
        author_channel_id as author_id,
        cast(null as string) as parent_comment_id,

        ---------- strings
        author_display_name as author_handle,
        text_original as comment_text,

        ---------- numerics
        {{ count_or_null('like_count') }} as likes,
        {{ count_or_null('total_reply_count') }} as replies,

        ---------- dates and timestamps
        {{ utc_timestamp('published_at') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
