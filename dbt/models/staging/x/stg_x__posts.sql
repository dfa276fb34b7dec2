with

source as (

    select * from {{ source('x', 'posts') }}

),

renamed as (

    select

        ----------  ids
        id as post_id,
        account_id,
        'x' as platform,

        ---------- strings
        text as caption,
        lang as language,
        cast(null as string) as media_type,

        ---------- booleans
        -- X's paid-partnership label is not in the v2 post fields: disclosure tags decide.
        cast(null as boolean) as is_paid_partnership,

        ---------- dates and timestamps
        {{ utc_timestamp('created_at') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
