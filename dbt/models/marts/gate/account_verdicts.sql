{{ config(tags=['gated']) }}

-- One row per platform account per verdict period: the gate's verdict (pass / review / fail),
-- its reason codes and evidence, and whether a person overrode it, valid from the first date
-- the gate gave it until the date it changed (valid_to, exclusive; null while current).
-- The gate (kolpipe.gate) writes one verdict partition per logical date
-- (stg_gate__account_verdicts); a day without a verdict for an account (not extracted)
-- leaves its period open. Nothing is deleted: every period stays queryable.

{%- set verdict_state = row_value([
    'verdict', 'computed_verdict', 'reason_codes', 'evidence_fingerprint', 'override_status',
    'override_recorded_at',
]) %}

with

verdict_days as (

    select * from {{ ref('stg_gate__account_verdicts') }}

),

with_period_start as (

    -- a period starts when the verdict, its reasons, its evidence or its override changes
    -- (null-safe: a field that becomes null is a change)
    select
        *,
        ({{ verdict_state }} is distinct from lag({{ verdict_state }}) over (
            partition by account_key order by observed_date
        )) as is_period_start
    from verdict_days

),

numbered as (

    select
        *,
        sum(case when is_period_start then 1 else 0 end) over (
            partition by account_key order by observed_date
            rows between unbounded preceding and current row
        ) as period_number
    from with_period_start

),

periods as (

    select
        account_key,
        period_number,
        min(platform) as platform,
        min(account_id) as account_id,
        min(observed_date) as valid_from,
        max(observed_date) as last_confirmed_date,
        -- the newest day's wording of the period's (unchanged) verdict and evidence
        {{ arg_max('verdict', 'observed_date') }} as verdict,
        {{ arg_max('computed_verdict', 'observed_date') }} as computed_verdict,
        {{ arg_max('reason_codes', 'observed_date') }} as reason_codes,
        {{ arg_max('reasons', 'observed_date') }} as reasons,
        {{ arg_max('evidence', 'observed_date') }} as evidence,
        {{ arg_max('evidence_fingerprint', 'observed_date') }} as evidence_fingerprint,
        {{ arg_max('is_overridden', 'observed_date') }} as is_overridden,
        {{ arg_max('override_status', 'observed_date') }} as override_status,
        {{ arg_max('override_reason', 'observed_date') }} as override_reason,
        {{ arg_max('override_by', 'observed_date') }} as override_by,
        {{ arg_max('override_recorded_at', 'observed_date') }} as override_recorded_at
    from numbered
    group by account_key, period_number

)

select
    account_key,
    platform,
    account_id,
    verdict,
    computed_verdict,
    reason_codes,
    reasons,
    evidence,
    evidence_fingerprint,
    is_overridden,
    override_status,
    override_reason,
    override_by,
    override_recorded_at,
    valid_from,
    lead(valid_from) over (partition by account_key order by valid_from) as valid_to,
    last_confirmed_date,
    lead(valid_from) over (partition by account_key order by valid_from) is null as is_current
from periods
