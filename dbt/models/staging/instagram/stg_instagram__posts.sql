with

source as (

    select * from {{ source('instagram', 'posts') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'instagram' as platform,

        ---------- strings
        caption,
        lower(media_type) as media_type,
        lower(media_product_type) as media_product_type,
        permalink,

        ---------- booleans
        -- Business Discovery exposes no paid-partnership flag: disclosure tags decide.
        cast(null as boolean) as is_paid_partnership,

        ---------- dates and timestamps
        {{ utc_timestamp('timestamp') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
