with

source as (

    select * from {{ source('weibo', 'posts') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'weibo' as platform,

        ---------- strings
        text as caption,
        source as client_source,
        cast(null as string) as media_type,

        ---------- booleans
        -- Weibo exposes no paid-partnership flag: disclosure words (广告, 合作) decide.
        cast(null as boolean) as is_paid_partnership,

        ---------- dates and timestamps
        {{ utc_timestamp('created_at') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
