with

source as (

    select * from {{ source('x', 'comment_samples') }}

),

renamed as (

    select

        ----------  ids
        id as comment_id,
        account_id,
        'x' as platform,
        conversation_id as post_id,
        author_id,
        cast(null as string) as parent_comment_id,

        ---------- strings
        author_username as author_handle,
        text as comment_text,

        ---------- numerics
        cast(null as bigint) as likes,
        cast(null as bigint) as replies,

        ---------- dates and timestamps
        {{ utc_timestamp('created_at') }} as published_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
