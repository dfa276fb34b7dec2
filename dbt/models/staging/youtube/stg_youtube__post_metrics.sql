with

source as (

    select * from {{ source('youtube', 'post_metrics') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'youtube' as platform,

        ---------- numerics
        {{ count_or_null('like_count') }} as likes,
        {{ count_or_null('comment_count') }} as comments,
        -- The Data API exposes no share, save or quote counts.
        cast(null as bigint) as shares,
        cast(null as bigint) as saves,
        cast(null as bigint) as quotes,
        {{ count_or_null('view_count') }} as views,

        ---------- strings
        -- YouTube leaves likeCount out only when the owner hides it
        {{ count_status('like_count', null_is='hidden') }} as likes_status,

        ---------- dates and timestamps
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
