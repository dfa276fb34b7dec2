with

source as (

    select * from {{ source('weibo', 'post_metrics') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'weibo' as platform,

        ---------- numerics
        {{ count_or_null('attitudes_count') }} as likes,
        {{ count_or_null('comments_count') }} as comments,
        {{ count_or_null('reposts_count') }} as shares,
        cast(null as bigint) as saves,
        cast(null as bigint) as quotes,
        -- Weibo publishes no view counts for other users' statuses.
        cast(null as bigint) as views,

        ---------- strings
        {{ count_status('attitudes_count') }} as likes_status,

        ---------- dates and timestamps
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
