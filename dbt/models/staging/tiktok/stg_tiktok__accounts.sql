with

source as (

    select * from {{ source('tiktok', 'accounts') }}

),

renamed as (

    select

        ----------  ids
        account_id,
        'tiktok' as platform,

        ---------- strings
        username as handle,
        display_name,
        bio_description as bio,

        ---------- numerics
        {{ count_or_null('follower_count') }} as followers,
        {{ count_or_null('following_count') }} as following,
        {{ count_or_null('video_count') }} as posts_count,
        {{ count_or_null('likes_count') }} as total_likes_received,

        ---------- booleans
        is_verified,

        ---------- dates and timestamps
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
