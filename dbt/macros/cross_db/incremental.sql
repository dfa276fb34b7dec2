{#- The incremental marts replace the rows of every key they recompute: delete+insert on
    DuckDB, merge on Spark. Spark can merge only into a table format that updates rows (Delta,
    Iceberg, Hudi: set KOLPIPE_SPARK_FILE_FORMAT); a plain Parquet table (the local test) is
    rebuilt in full on each run instead, which gives the same rows with more work. -#}
{% macro upsert_materialization() -%}
    {{ return(adapter.dispatch('upsert_materialization')()) }}
{%- endmacro %}
{% macro default__upsert_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}
{% macro spark__upsert_materialization() -%}
    {%- set file_format = env_var('KOLPIPE_SPARK_FILE_FORMAT', 'parquet') %}
    {{ return('incremental' if file_format in ['delta', 'iceberg', 'hudi'] else 'table') }}
{%- endmacro %}

{% macro upsert_strategy() -%}
    {{ return(adapter.dispatch('upsert_strategy')()) }}
{%- endmacro %}
{% macro default__upsert_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}
{% macro spark__upsert_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{#- Written at the end of an incremental model: stores its rows in order of the date its
    incremental runs filter on (the model's tested_date_column). DuckDB keeps a min/max per
    row group, and skips the row groups a `where <date> >= <literal>` excludes only when each
    holds a narrow range of dates; rows in the order a window or join left them span the whole
    history in every row group, so a day's read of the recent dates scanned all of it.
    Incremental runs append their recomputed dates after the older ones, which keeps the
    order. Spark's Parquet tables are rebuilt in full (see upsert_materialization): no-op. -#}
{% macro cluster_by(date_column) -%}
    {{ return(adapter.dispatch('cluster_by')(date_column)) }}
{%- endmacro %}
{% macro default__cluster_by(date_column) -%}
    order by {{ date_column }}
{%- endmacro %}
{% macro spark__cluster_by(date_column) -%}
{%- endmacro %}
