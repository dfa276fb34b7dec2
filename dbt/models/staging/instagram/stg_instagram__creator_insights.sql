with

source as (

    -- no rows until an instagram account is authorized (see landed_or_empty)
    select * from {{ landed_or_empty(source('instagram', 'creator_insights')) }}

),

renamed as (

    select

        ----------  ids
        'instagram:' || account_id as account_key,
        account_id,
        post_id,
        'instagram' as platform,

        ---------- strings
        metric,
        -- the warehouse's name of the metric; impressions (given for dates before 2025-04-21)
        -- and views (from 2025-04-21) stay two metrics, see DECISIONLOG.md
        case metric
            when 'reach' then 'reach'
            when 'views' then 'views'
            when 'impressions' then 'impressions'
            when 'profile_views' then 'profile_views'
            when 'accounts_engaged' then 'accounts_engaged'
            when 'total_interactions' then 'interactions'
            when 'website_clicks' then 'website_clicks'
            -- the account's new followers that day, not its follower count
            when 'follower_count' then 'followers_gained'
            when 'likes' then 'likes'
            when 'comments' then 'comments'
            when 'shares' then 'shares'
            when 'saved' then 'saves'
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
