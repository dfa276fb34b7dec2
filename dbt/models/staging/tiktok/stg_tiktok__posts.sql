with

source as (

    select * from {{ source('tiktok', 'posts') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'tiktok' as platform,

        ---------- strings
        video_description as caption,
        hashtag_names,
        region_code,
        'video' as media_type,

        ---------- booleans
        -- The Research API exposes no branded-content flag: disclosure tags decide.
        cast(null as boolean) as is_paid_partnership,

        ---------- dates and timestamps
        {{ utc_timestamp('create_time') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
