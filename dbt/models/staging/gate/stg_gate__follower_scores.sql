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
        fake_follower_share,

        ---------- dates
        logical_date as observed_date

    from source

)

select * from renamed
