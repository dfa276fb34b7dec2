with

source as (

    select * from {{ source('x', 'accounts') }}

),

renamed as (

    select

        ----------  ids
        account_id,
        'x' as platform,

        ---------- strings
        username as handle,
        name as display_name,
        description as bio,

        ---------- numerics
        {{ count_or_null('followers_count') }} as followers,
        {{ count_or_null('following_count') }} as following,
        {{ count_or_null('tweet_count') }} as posts_count,
        {{ count_or_null('listed_count') }} as listed_count,

        ---------- booleans
        protected as is_protected,

        ---------- dates and timestamps
        {{ utc_timestamp('created_at') }} as account_created_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
