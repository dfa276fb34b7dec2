with

source as (

    -- no rows before the first scoring (see landed_or_empty)
    select * from {{ landed_or_empty(source('gate', 'follower_scores')) }}

),

renamed as (

    select

        ----------  ids
        account_key,
        platform,
        account_id,

        ---------- numerics
        followers_scored,
        -- partitions written before the count was kept carry only the share
        coalesce(fake_followers, cast(round(fake_follower_share * followers_scored) as bigint))
            as fake_followers,
        fake_follower_share,

        ---------- strings
        score_confidence,
        score_fields,
        sample_method,

        ---------- dates
        logical_date as observed_date

    from source

)

select * from renamed
