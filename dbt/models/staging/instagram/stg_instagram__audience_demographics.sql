with

source as (

    -- no rows until an instagram account is authorized (see landed_or_empty)
    select * from {{ landed_or_empty(source('instagram', 'audience_demographics')) }}

),

renamed as (

    select

        ----------  ids
        'instagram:' || account_id as account_key,
        account_id,
        'instagram' as platform,

        ---------- strings
        -- country, age or gender
        dimension,
        bucket as platform_bucket,
        -- ages as ranges ("25-34", "65+" as given); gender F/M/U as female/male/unknown
        case
            when dimension = 'gender' and bucket = 'F' then 'female'
            when dimension = 'gender' and bucket = 'M' then 'male'
            when dimension = 'gender' and bucket = 'U' then 'unknown'
            else bucket
        end as bucket,
        -- followers: value is a count of followers
        unit,

        ---------- numerics
        cast(value as double) as value,

        ---------- dates and timestamps
        logical_date as observed_date,
        -- declared timestamp for the empty case, which utc_timestamp would turn into timestamptz
        cast({{ utc_timestamp('extracted_at') }} as timestamp) as extracted_at

    from source

)

select * from renamed
