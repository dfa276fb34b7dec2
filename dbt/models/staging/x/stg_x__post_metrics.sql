with

source as (

    select * from {{ source('x', 'post_metrics') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'x' as platform,

        ---------- numerics
        {{ count_or_null('like_count') }} as likes,
        {{ count_or_null('reply_count') }} as comments,
        {{ count_or_null('retweet_count') }} as shares,
        {{ count_or_null('bookmark_count') }} as saves,
        {{ count_or_null('quote_count') }} as quotes,
        -- Impressions are X's only view measure.
        {{ count_or_null('impression_count') }} as views,

        ---------- strings
        {{ count_status('like_count') }} as likes_status,

        ---------- dates and timestamps
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
