with

source as (

    select * from {{ source('instagram', 'accounts') }}

),

renamed as (

    select

        ----------  ids
        account_id,
        'instagram' as platform,

        ---------- strings
        username as handle,
        name as display_name,
        biography as bio,
        website,

        ---------- numerics
        {{ count_or_null('followers_count') }} as followers,
        {{ count_or_null('follows_count') }} as following,
        {{ count_or_null('media_count') }} as posts_count,

        ---------- dates and timestamps
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
