-- One row per platform account: every account the registry ever listed or the landing zone
-- ever carried (in an account snapshot or as a post's author), with its KOL, its latest
-- handle and its current followers and tier.

with

registry as (

    select
        *,
        platform || ':' || account_id as account_key,
        observed_date = max(observed_date) over () as is_in_latest_registry
    from {{ ref('stg_registry__accounts') }}

),

latest_registry_entry as (

    select * from registry
    qualify row_number() over (partition by account_key order by observed_date desc) = 1

),

account_days as (

    select
        *,
        min(observed_date) over (partition by account_key) as first_observed_date
    from {{ ref('int_account_days_with_growth') }}

),

latest_account_day as (

    select * from account_days
    qualify row_number() over (partition by account_key order by observed_date desc) = 1

),

all_accounts as (

    select account_key, platform, account_id from latest_registry_entry
    union
    select account_key, platform, account_id from latest_account_day
    union
    select account_key, platform, account_id from {{ ref('int_posts_unioned') }}

)

select
    all_accounts.account_key,
    all_accounts.platform,
    all_accounts.account_id,
    latest_registry_entry.kol_id,
    coalesce(latest_account_day.handle, latest_registry_entry.handle) as handle,
    latest_account_day.display_name,
    latest_account_day.followers,
    latest_account_day.tier,
    latest_account_day.first_observed_date,
    latest_account_day.observed_date as last_observed_date,
    coalesce(latest_registry_entry.is_in_latest_registry, false) as is_in_latest_registry
from all_accounts
left join latest_registry_entry on all_accounts.account_key = latest_registry_entry.account_key
left join latest_account_day on all_accounts.account_key = latest_account_day.account_key
