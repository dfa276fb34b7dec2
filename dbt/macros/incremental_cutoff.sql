{#- The first date an incremental run recomputes: `lookback_days` before the newest date
    already built, or before the run's logical date when that is earlier (a backfill run
    passes --vars '{logical_date: ...}'), so late and backfilled observations replace the rows
    they change. An empty table (built before any data landed) recomputes everything. -#}
{% macro incremental_cutoff(date_column) -%}
    {%- set logical_date = var('logical_date', none) -%}
    (
        select
            case
                when max({{ date_column }}) is null then date '1900-01-01'
                else least(
                    max({{ date_column }})
                    {%- if logical_date %}, cast('{{ logical_date }}' as date){% endif %}
                ) - {{ var('lookback_days') }}
            end
        from {{ this }}
    )
{%- endmacro %}
