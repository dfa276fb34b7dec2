with

source as (

    select * from {{ source('tiktok', 'post_metrics') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'tiktok' as platform,

        ---------- numerics
        {{ count_or_null('like_count') }} as likes,
        {{ count_or_null('comment_count') }} as comments,
        {{ count_or_null('share_count') }} as shares,
        -- Favourites are not in the Research API's video fields.
        cast(null as bigint) as saves,
        cast(null as bigint) as quotes,
        {{ count_or_null('view_count') }} as views,

        ---------- strings
        {{ count_status('like_count') }} as likes_status,

        ---------- dates and timestamps
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
