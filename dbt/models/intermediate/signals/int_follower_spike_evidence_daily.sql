{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date with a follower change: the strongest
-- follower spike (highest robust z, the latest on a tie) of the var('gate_evidence_days') days
-- up to the date, with its evidence, so that the verdict of any date in that window still
-- sees it. An incremental run recomputes the dates since the cutoff, reading the changes of
-- the evidence window before it.

{%- set evidence_days = var('gate_evidence_days') %}

with

follower_changes as (

    select * from {{ ref('int_follower_changes_scored') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date', evidence_days - 1) }}

),

strongest_in_window as (

    select
        account_key,
        observed_date,
        max(spike_robust_z) over evidence_window as spike_robust_z,
        {{ arg_max('observed_date', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_date,
        {{ arg_max('follower_change', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_follower_gain,
        {{ arg_max('followers', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_followers_after,
        {{ arg_max('baseline_change_median', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_baseline_change_median,
        {{ arg_max('baseline_change_scale', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_baseline_change_scale,
        {{ arg_max('follower_count_step', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_follower_count_step,
        {{ arg_max('is_round_number_gain', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_is_round_number_gain
    from follower_changes
    window evidence_window as (
        partition by account_key
        order by observed_date
        range between interval {{ evidence_days - 1 }} day preceding and current row
    )

)

-- the dates before the cutoff were read for their changes only: their windows are cut short
select * from strongest_in_window
{{ since_incremental_cutoff('observed_date', 'observed_date') }}
{{ cluster_by('observed_date') }}
