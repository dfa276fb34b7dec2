{#- The first date an incremental run recomputes: `lookback_days` before the newest date
    already built, or before the run's logical date when that is earlier (a backfill run
    passes --vars '{logical_date: ...}'), so late and backfilled observations replace the rows
    they change. An empty table (built before any data landed) recomputes everything.
    Rendered as a date literal, looked up when the model runs: a constant lets DuckDB skip the
    Parquet row groups and table segments of older dates (a subquery would not), which keeps a
    day's cost flat however long the history is. `days_before` moves it earlier, for inputs
    read over a trailing window (a 30-day rate of the cutoff date reads 29 days before it). -#}
{% macro incremental_cutoff(date_column, days_before=0) -%}
    {%- set cutoff = incremental_cutoff_date(date_column) -%}
    {{- date_literal(cutoff - modules.datetime.timedelta(days=days_before)) -}}
{%- endmacro %}

{% macro incremental_cutoff_date(date_column) -%}
    {%- set everything = modules.datetime.date(1900, 1, 1) -%}
    {%- if not execute -%}
        {{ return(everything) }}
    {%- endif -%}
    {%- set newest = run_query(
        'select max(' ~ date_column ~ ') from ' ~ this).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(everything) }}
    {%- endif -%}
    {%- set newest = as_date(newest) -%}
    {%- set logical_date = logical_date_var() -%}
    {%- if logical_date -%}
        {%- set newest = [newest, logical_date] | min -%}
    {%- endif -%}
    {{ return(newest - modules.datetime.timedelta(days=var('lookback_days'))) }}
{%- endmacro %}

{#- The run's logical date (var logical_date, YYYY-MM-DD) as a date, none when not given. -#}
{% macro logical_date_var() -%}
    {%- set value = var('logical_date') -%}
    {%- if not value -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}( 00:00:00)?', value | string) -%}
        {{ exceptions.raise_compiler_error(
            "var logical_date must be a date as YYYY-MM-DD (e.g. --vars '{logical_date: "
            ~ "2026-11-23}'), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(as_date(value)) }}
{%- endmacro %}

{#- A date, datetime or ISO text from a query result or a var, as a date. -#}
{% macro as_date(value) -%}
    {%- set text = (value | string)[:10] -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error("not a date: '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(modules.datetime.date(text[:4] | int, text[5:7] | int, text[8:10] | int)) }}
{%- endmacro %}

{% macro date_literal(day) -%}
    cast('{{ day.isoformat() }}' as date)
{%- endmacro %}

{#- `where <column> >= <cutoff - days_before>` on incremental runs, nothing on full builds:
    for the inputs of a model whose rows are recomputed from the cutoff on. `cutoff_column` is
    the model's own date column the cutoff is taken from. -#}
{% macro since_incremental_cutoff(column, cutoff_column, days_before=0, keyword='where') -%}
    {%- if is_incremental() -%}
        {{ keyword }} {{ column }} >= {{ incremental_cutoff(cutoff_column, days_before) }}
    {%- endif -%}
{%- endmacro %}
