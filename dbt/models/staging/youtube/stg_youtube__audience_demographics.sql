with

source as (

    -- no rows until a youtube channel is authorized (see landed_or_empty)
    select * from {{ landed_or_empty(source('youtube', 'audience_demographics')) }}

),

renamed as (

    select

        ----------  ids
        'youtube:' || account_id as account_key,
        account_id,
        'youtube' as platform,

        ---------- strings
        -- age, gender, age_gender (ageGroup x gender, bucket "age18-24|female") or country
        dimension,
        bucket as platform_bucket,
        -- see macros/audience_buckets.sql
        case dimension
            when 'age' then {{ youtube_age_bucket('bucket') }}
            when 'gender' then {{ youtube_gender_bucket('bucket') }}
            when 'age_gender'
                then {{ youtube_age_bucket("split_part(bucket, '|', 1)") }} || '|'
                || {{ youtube_gender_bucket("split_part(bucket, '|', 2)") }}
            else bucket
        end as bucket,
        -- viewer_percent (age, gender: a percentage of the viewers) or views (country: a count)
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
