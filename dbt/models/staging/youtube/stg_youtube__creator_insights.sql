with

source as (

    -- no rows until a youtube channel is authorized (see landed_or_empty)
    select * from {{ landed_or_empty(source('youtube', 'creator_insights')) }}

),

renamed as (

    select

        ----------  ids
        'youtube:' || account_id as account_key,
        account_id,
        post_id,
        'youtube' as platform,

        ---------- strings
        -- YouTube Analytics column names
        metric,
        case metric
            when 'views' then 'views'
            when 'estimatedMinutesWatched' then 'watch_minutes'
            when 'subscribersGained' then 'followers_gained'
            when 'subscribersLost' then 'followers_lost'
            when 'likes' then 'likes'
            when 'comments' then 'comments'
            when 'shares' then 'shares'
        end as metric_name,
        period,

        ---------- numerics
        {{ count_or_null('value') }} as value,

        ---------- dates and timestamps
        metric_date,
        logical_date as observed_date,
        -- declared timestamp for the empty case, which utc_timestamp would turn into timestamptz
        cast({{ utc_timestamp('extracted_at') }} as timestamp) as extracted_at

    from source

)

select * from renamed
