-- One row per platform account: every account the registry ever listed or the landing zone
-- ever carried (in an account snapshot or as a post's author), with its KOL, its latest
-- handle, its current followers, tier and lifecycle stage, and how many profile versions
-- (handle, name, bio) it has had.

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
    lifecycle.last_post_date,
    lifecycle.lifecycle_stage,
    coalesce(profile_versions.profile_versions, 0) as profile_versions,
    coalesce(latest_registry_entry.is_in_latest_registry, false) as is_in_latest_registry
from all_accounts
left join latest_registry_entry on all_accounts.account_key = latest_registry_entry.account_key
left join latest_account_day on all_accounts.account_key = latest_account_day.account_key
left join lifecycle on all_accounts.account_key = lifecycle.account_key
left join profile_versions on all_accounts.account_key = profile_versions.account_key
