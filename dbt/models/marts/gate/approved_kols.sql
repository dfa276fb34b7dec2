{{ config(tags=['gated']) }}

-- One row per registered KOL account whose current gate verdict is not `fail`: the list buyers
-- pick from. Accounts under review stay listed, marked is_under_review with their reasons;
-- failed accounts are left out here but stay in account_verdicts and every other mart, and an
-- account the gate has not judged yet is not approved.

with

current_verdicts as (

    select * from {{ ref('account_verdicts') }}
    where is_current

),

accounts as (

    select * from {{ ref('dim_account') }}
    where is_in_latest_registry

),

kols as (

    select kol_id, display_name, niche from {{ ref('dim_kol') }}

)

select
    accounts.account_key,
    accounts.kol_id,
    kols.display_name as kol_display_name,
    kols.niche,
    accounts.platform,
    accounts.account_id,
    accounts.handle,
    accounts.followers,
    accounts.tier,
    current_verdicts.verdict,
    current_verdicts.verdict = 'review' as is_under_review,
    case when current_verdicts.verdict = 'review' then current_verdicts.reason_codes end
        as review_reason_codes,
    current_verdicts.is_overridden,
    current_verdicts.valid_from as verdict_valid_from,
    current_verdicts.last_confirmed_date as verdict_last_confirmed_date
from accounts
inner join current_verdicts on accounts.account_key = current_verdicts.account_key
left join kols on accounts.kol_id = kols.kol_id
where current_verdicts.verdict != 'fail'
