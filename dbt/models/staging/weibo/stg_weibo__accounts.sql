with

source as (

    select * from {{ source('weibo', 'accounts') }}

),

renamed as (

    select

        ----------  ids
        account_id,
        'weibo' as platform,

        ---------- strings
        screen_name as handle,
        name as display_name,
        description as bio,

        ---------- numerics
        {{ count_or_null('followers_count') }} as followers,
        {{ count_or_null('friends_count') }} as following,
        {{ count_or_null('statuses_count') }} as posts_count,

        ---------- booleans
        verified as is_verified,

        ---------- dates and timestamps
        {{ utc_timestamp('created_at') }} as account_created_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
