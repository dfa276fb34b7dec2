{{ config(materialized='table') }}

-- One row per platform account per profile version (SCD type 2): the handle, display name and
-- bio as they stood from valid_from (the first daily snapshot showing them) until valid_to
-- (the first snapshot showing a change; null for the current version).
-- Derived from the landed daily snapshots rather than kept by a dbt snapshot, so that reruns
-- and out-of-order backfills give the same history (see DECISIONLOG.md).
-- A table, not a view: dim_account and four data tests read it, and each read of a view would
-- rescan every daily snapshot.

with

account_days as (

    select account_key, platform, account_id, observed_date, handle, display_name, bio
    from {{ ref('int_accounts_unioned') }}

),

flagged_changes as (

    -- a snapshot starts a version when any profile field differs from the account's previous
    -- snapshot (null-safe, so a bio that disappears is a change; the first snapshot has none
    -- before it and starts version 1)
    select
        *,
        {{ row_value(['handle', 'display_name', 'bio']) }}
            is distinct from lag({{ row_value(['handle', 'display_name', 'bio']) }}) over (
            partition by account_key order by observed_date
        ) as starts_version
    from account_days

),

numbered_versions as (

    select
        *,
        sum(cast(starts_version as integer)) over (
            partition by account_key order by observed_date rows unbounded preceding
        ) as profile_version
    from flagged_changes

),

versions as (

    select
        account_key,
        platform,
        account_id,
        cast(profile_version as integer) as profile_version,
        min(handle) as handle,
        min(display_name) as display_name,
        min(bio) as bio,
        min(observed_date) as valid_from,
        max(observed_date) as last_observed_date
    from numbered_versions
    group by account_key, platform, account_id, profile_version

)

select
    account_key || ':' || profile_version as account_profile_key,
    account_key,
    platform,
    account_id,
    profile_version,
    handle,
    display_name,
    bio,
    valid_from,
    lead(valid_from) over (partition by account_key order by profile_version) as valid_to,
    last_observed_date,
    lead(valid_from) over (partition by account_key order by profile_version) is null
        as is_current
from versions
