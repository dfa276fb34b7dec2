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
