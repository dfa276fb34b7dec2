with

source as (

    -- no rows before the first run records a gap (see landed_or_empty)
    select * from {{ landed_or_empty(source('extraction', 'account_gaps')) }}

),

renamed as (

    select

        ----------  ids
        platform || ':' || account_id as account_key,
        platform,
        account_id,
        kol_id,

        ---------- strings
        -- the extractors' kinds, in the words of the gaps mart
        case kind
            when 'not_found' then 'deleted'
            when 'unreadable_error' then 'unreadable_reply'
            when 'malformed_reply' then 'unreadable_reply'
            when 'profile_quarantined' then 'record_quarantined'
            else kind
        end as reason,
        kind,
        message as detail,

        ---------- booleans
        platform_failed as is_platform_stop,
        -- read as public data anyway: only the creator's first-party data is missing (files
        -- landed before the column existed recorded account-day gaps only)
        coalesce(first_party_only, false) as is_first_party_only,

        ---------- dates
        logical_date as observed_date,
        -- declared timestamp for the empty case, which utc_timestamp would turn into timestamptz
        cast({{ utc_timestamp('recorded_at') }} as timestamp) as recorded_at

    from source

)

select * from renamed
