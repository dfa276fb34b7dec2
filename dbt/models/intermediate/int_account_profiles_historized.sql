{{
    config(
        materialized=upsert_materialization(),
        unique_key='account_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
    )
}}

-- One row per platform account per profile version (SCD type 2): the handle, display name and
-- bio as they stood from valid_from (the first daily snapshot showing them) until valid_to
-- (the first snapshot showing a change; null for the current version).
-- Derived from the landed daily snapshots rather than kept by a dbt snapshot, so that reruns
-- and out-of-order backfills give the same history (see DECISIONLOG.md).
-- An incremental run reads the snapshots since the cutoff and continues each account's
-- version in force before it (its values and number, from this table); the account's rows
-- are replaced as a whole, since a new version ends the one before it.

{%- set profile = row_value(['account_days.handle', 'account_days.display_name',
                              'account_days.bio']) %}
{%- set profile_in_force = 'null' %}
{%- if is_incremental() %}
{%- set cutoff = incremental_cutoff('last_observed_date') %}
{%- set profile_in_force = 'case when version_in_force.account_key is not null then '
    ~ row_value(['version_in_force.handle', 'version_in_force.display_name',
                 'version_in_force.bio']) ~ ' end' %}
{%- endif %}

with

account_days as (

    select account_key, platform, account_id, observed_date, handle, display_name, bio
    from {{ ref('int_accounts_unioned') }}
    {{ since_incremental_cutoff('observed_date', 'last_observed_date') }}

),

{% if is_incremental() %}
earlier_versions as (

    select * from {{ this }} where valid_from < {{ cutoff }}

),

version_in_force as (

    select * from earlier_versions
    qualify row_number() over (partition by account_key order by profile_version desc) = 1

),
{% endif %}

flagged_changes as (

    -- a snapshot starts a version when any profile field differs from the account's previous
    -- snapshot (null-safe, so a bio that disappears is a change; the first snapshot has none
    -- before it and starts version 1, unless it continues the version in force)
    select
        account_days.*,
        {{ 'coalesce(version_in_force.profile_version, 0)' if is_incremental() else '0' }}
            as versions_before,
        ({{ profile }} is distinct from coalesce(
            lag({{ profile }}) over (
                partition by account_days.account_key order by account_days.observed_date
            ),
            {{ profile_in_force }}
        )) as starts_version
    from account_days
    {%- if is_incremental() %}
    left join version_in_force on account_days.account_key = version_in_force.account_key
    {%- endif %}

),

numbered_versions as (

    select
        *,
        versions_before + sum(cast(starts_version as integer)) over (
            partition by account_key order by observed_date rows unbounded preceding
        ) as profile_version
    from flagged_changes

),

recomputed_versions as (

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

),

versions as (

    {%- if is_incremental() %}
    -- the version in force appears on both sides when the recomputed dates continue it
    select
        account_key,
        platform,
        account_id,
        profile_version,
        min(handle) as handle,
        min(display_name) as display_name,
        min(bio) as bio,
        min(valid_from) as valid_from,
        max(last_observed_date) as last_observed_date
    from (
        select account_key, platform, account_id, profile_version, handle, display_name, bio,
            valid_from, last_observed_date
        from earlier_versions
        union all
        select * from recomputed_versions
    ) as earlier_and_recomputed
    group by account_key, platform, account_id, profile_version
    {%- else %}
    select * from recomputed_versions
    {%- endif %}

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
