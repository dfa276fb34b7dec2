-- One row per platform account: every account the registry ever listed or the landing zone
-- ever carried (in an account snapshot or as a post's author), with its KOL, how it is read
-- (public or authorized), its latest handle, its current followers, tier and lifecycle stage,
-- and how many profile versions (handle, name, bio) it has had.

with

registry as (

    select
        *,
        observed_date = max(observed_date) over () as is_in_latest_registry
    from {{ ref('int_registry_latest') }}

),

latest_registry_entry as (

    select * from registry
    qualify row_number() over (partition by account_key order by observed_date desc) = 1

),

accounts as (

    select * from {{ ref('int_accounts_latest') }}

),

lifecycle as (

    select account_key, last_post_date, lifecycle_stage
    from {{ ref('int_account_lifecycle_stages') }}

),

profile_versions as (

    select account_key, cast(count(*) as integer) as profile_versions
    from {{ ref('int_account_profiles_historized') }}
    group by account_key

),

all_accounts as (

    select account_key, platform, account_id from latest_registry_entry
    union
    select account_key, platform, account_id from accounts

)

select
    all_accounts.account_key,
    all_accounts.platform,
    all_accounts.account_id,
    latest_registry_entry.kol_id,
    -- how the registry's newest entry reads the account (null when the registry never listed it)
    latest_registry_entry.access,
    coalesce(accounts.handle, latest_registry_entry.handle) as handle,
    accounts.display_name,
    accounts.followers,
    accounts.tier,
    accounts.first_observed_date,
    accounts.last_observed_date,
    lifecycle.last_post_date,
    lifecycle.lifecycle_stage,
    coalesce(profile_versions.profile_versions, 0) as profile_versions,
    coalesce(latest_registry_entry.is_in_latest_registry, false) as is_in_latest_registry
from all_accounts
left join latest_registry_entry on all_accounts.account_key = latest_registry_entry.account_key
left join accounts on all_accounts.account_key = accounts.account_key
left join lifecycle on all_accounts.account_key = lifecycle.account_key
left join profile_versions on all_accounts.account_key = profile_versions.account_key
