{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: the strongest burst of likes without
-- comments (highest likes per comment against the platform's median, the latest on a tie) of
-- the var('gate_evidence_days') days up to the date, so that the verdict of any date in that
-- window still sees it. An incremental run recomputes the dates since the cutoff, reading the
-- engagement signals of the evidence window before it.

{%- set evidence_days = var('gate_evidence_days') %}

with

engagement as (

    select * from {{ ref('int_engagement_signals_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date', evidence_days - 1) }}

),

likes_bursts as (

    select
        account_key,
        observed_date,
        max(likes_per_comment_vs_platform_median) over evidence_window
            as likes_per_comment_vs_platform_median_max,
        {{ arg_max('observed_date', 'likes_per_comment_vs_platform_median',
                     tie_date='observed_date') }}
            over evidence_window as likes_per_comment_max_date,
        {{ arg_max('likes_per_comment', 'likes_per_comment_vs_platform_median',
                     tie_date='observed_date') }}
            over evidence_window as likes_per_comment_max
    from engagement
    window evidence_window as (
        partition by account_key
        order by observed_date
        range between interval {{ evidence_days - 1 }} day preceding and current row
    )

)

-- the dates before the cutoff were read for their values only: their windows are cut short
select * from likes_bursts
{{ since_incremental_cutoff('observed_date', 'observed_date') }}
{{ cluster_by('observed_date') }}
