with

source as (

    select * from {{ source('instagram', 'post_metrics') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'instagram' as platform,

        ---------- numerics
        -- like_count is null when the account hides likes.
        {{ count_or_null('like_count') }} as likes,
        {{ count_or_null('comments_count') }} as comments,
        -- shares and saves exist only in the owner's insights, not in Business Discovery.
        cast(null as bigint) as shares,
        cast(null as bigint) as saves,
        cast(null as bigint) as quotes,
        -- plays of reels and videos ("views" replaced "impressions" on 2025-04-21).
        {{ count_or_null('view_count') }} as views,

        ---------- strings
        {{ count_status('like_count') }} as likes_status,

        ---------- dates and timestamps
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
