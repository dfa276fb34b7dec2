-- One row per registered account-day that was not observed, or that a run recorded as not
-- observed before a later run caught it up: nothing a run missed is lost from view. The reason
-- is the latest recorded one; an account-day not landed that no run explained (its platform's
-- task never ran, or a run ended without a word about it) is never_returned. An authorized
-- account read as public data is observed, and first_party_gap says why its creator's data
-- is missing (not connected, consent revoked or ended).

with

registered as (

    select
        platform || ':' || account_id as account_key,
        platform,
        account_id,
        kol_id,
        observed_date
    from {{ ref('stg_registry__accounts') }}

),

landed as (

    select distinct account_key, observed_date from {{ ref('int_accounts_unioned') }}

),

recorded as (

    select
        account_key,
        observed_date,
        -- account-day gaps first; a first-party gap alone leaves the account-day observed
        {{ arg_max('case when not is_first_party_only then reason end',
                   'case when not is_first_party_only then recorded_at end') }} as reason,
        {{ arg_max('case when not is_first_party_only then detail end',
                   'case when not is_first_party_only then recorded_at end') }} as detail,
        {{ arg_max('case when is_first_party_only then reason end',
                   'case when is_first_party_only then recorded_at end') }} as first_party_gap,
        {{ arg_max('case when is_first_party_only then detail end',
                   'case when is_first_party_only then recorded_at end') }}
            as first_party_detail,
        bool_or(is_platform_stop) as had_platform_stop,
        count(*) as times_recorded,
        min(recorded_at) as first_recorded_at,
        max(recorded_at) as last_recorded_at
    from {{ ref('stg_extraction__account_gaps') }}
    group by account_key, observed_date

)

select
    registered.account_key,
    registered.platform,
    registered.account_id,
    registered.kol_id,
    registered.observed_date,
    coalesce(
        recorded.reason,
        case when landed.account_key is null then 'never_returned' end,
        recorded.first_party_gap
    ) as reason,
    coalesce(recorded.detail, recorded.first_party_detail) as detail,
    recorded.first_party_gap,
    landed.account_key is not null as is_observed,
    coalesce(recorded.had_platform_stop, false) as had_platform_stop,
    cast(coalesce(recorded.times_recorded, 0) as integer) as times_recorded,
    recorded.first_recorded_at,
    recorded.last_recorded_at
from registered
left join landed
    on
        registered.account_key = landed.account_key
        and registered.observed_date = landed.observed_date
left join recorded
    on
        registered.account_key = recorded.account_key
        and registered.observed_date = recorded.observed_date
where landed.account_key is null or recorded.account_key is not null
