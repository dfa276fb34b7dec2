with

source as (

    select * from {{ source('weibo', 'follower_samples') }}

),

renamed as (

    select

        ----------  ids
        id as follower_id,
        account_id,
        'weibo' as platform,

        ---------- strings
        screen_name as follower_handle,
        name as follower_display_name,
        description as follower_bio,
        url as follower_url,
        profile_image_url,

        ---------- numerics
        {{ count_or_null('followers_count') }} as followers,
        {{ count_or_null('friends_count') }} as following,
        {{ count_or_null('statuses_count') }} as posts_count,

        ---------- booleans
        cast(null as boolean) as is_protected,
        verified as is_verified,

        ---------- dates and timestamps
        {{ utc_timestamp('created_at') }} as follower_created_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
