with

source as (

    select * from {{ source('tiktok', 'follower_samples') }}

),

renamed as (

    select

        ----------  ids
        cast(null as string) as follower_id,
        account_id,
        'tiktok' as platform,

        ---------- strings
        username as follower_handle,
        display_name as follower_display_name,
        cast(null as string) as follower_bio,
        cast(null as string) as follower_url,
        cast(null as string) as profile_image_url,

        ---------- numerics
        cast(null as bigint) as followers,
        cast(null as bigint) as following,
        cast(null as bigint) as posts_count,

        ---------- booleans
        cast(null as boolean) as is_protected,
        cast(null as boolean) as is_verified,

        ---------- dates and timestamps
        cast(null as timestamp) as follower_created_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
