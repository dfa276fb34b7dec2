with

source as (

    select * from {{ source('youtube', 'accounts') }}

),

renamed as (

    select

        ----------  ids
        account_id,
        'youtube' as platform,
        uploads_playlist_id,

        ---------- strings
        trim(leading '@' from custom_url) as handle,
        title as display_name,
        description as bio,

        ---------- numerics
        -- Public subscriber counts are rounded to three significant figures, and hidden
        -- on request: a hidden count is null, never the placeholder the API returns.
        case
            when not coalesce(hidden_subscriber_count, false)
                then {{ count_or_null('subscriber_count') }}
        end as followers,
        cast(null as bigint) as following,
        {{ count_or_null('video_count') }} as posts_count,
        {{ count_or_null('view_count') }} as channel_views,

        ---------- booleans
        hidden_subscriber_count as is_subscriber_count_hidden,

        ---------- dates and timestamps
        {{ utc_timestamp('published_at') }} as channel_created_at,
        logical_date as observed_date,
        {{ utc_timestamp('extracted_at') }} as extracted_at

    from source

)

select * from renamed
