-- gated: rebuilt after the gate writes the date's verdicts (an empty view from before the
-- first verdicts would hide them)
{{ config(tags=['gated']) }}

with

source as (

    -- no rows before the gate's first run (see landed_or_empty)
    select * from {{ landed_or_empty(source('gate', 'account_verdicts')) }}

),

renamed as (

    select

        ----------  ids
        account_key,
        platform,
        account_id,

        ---------- strings
        verdict,
        computed_verdict,
        reason_codes,
        reasons,
        evidence,
        evidence_fingerprint,
        override_status,
        override_verdict,
        override_reason,
        override_by,
        override_recorded_at,

        ---------- booleans
        is_overridden,

        ---------- dates
        logical_date as observed_date

    from source

)

select * from renamed
