with

source as (

    select * from {{ source('youtube', 'posts') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'youtube' as platform,

        ---------- strings
        -- The caption of a video is its title and description, where disclosure tags live.
        concat_ws(chr(10), title, description) as caption,
        title,
        'video' as media_type,

        ---------- booleans
        has_paid_product_placement as is_paid_partnership,

        ---------- dates and timestamps
        {{ utc_timestamp('published_at') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
