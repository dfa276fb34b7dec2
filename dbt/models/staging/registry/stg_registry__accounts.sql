with

source as (

    select * from {{ source('registry', 'accounts') }}

),

renamed as (

    select

        ----------  ids
        kol_id,
        account_id,
        platform,

        ---------- strings
        display_name,
        niche,
        language,
        handle,
        -- partitions landed before the field existed were all public
        coalesce(access, 'public') as access,

        ---------- dates
        logical_date as observed_date

    from source

)

select * from renamed
