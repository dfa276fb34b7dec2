with

source as (

    select * from {{ source('tiktok', 'comment_samples') }}

),

renamed as (

    select

        ----------  ids
        id as comment_id,
        account_id,
        'tiktok' as platform,
        video_id as post_id,
        cast(null as string) as author_id,
        parent_comment_id,

        ---------- strings
        cast(null as string) as author_handle,
        text as comment_text,

        ---------- numerics
        {{ count_or_null('like_count') }} as likes,
        {{ count_or_null('reply_count') }} as replies,

        ---------- dates and timestamps
        {{ utc_timestamp('create_time') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
