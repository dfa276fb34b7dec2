{#- The Parquet files that Python stages write under the landing zone for dbt to read (the
    gate's verdicts, the follower scores): `<directory>/dt=<date>/*.parquet`, for use after
    `from`. `columns` ([name, type] pairs) is the shape to expect; before the first file is
    written the relation is empty with that shape.
    DuckDB: read_parquet of the files (by name across partitions) when there are any, else an
    empty select. Spark: an external table over the directory with that schema (created once;
    reading a directory that does not exist yet gives no rows). -#}
{% macro landed_parquet(directory, columns) -%}
    {{ return(adapter.dispatch('landed_parquet')(directory, columns)) }}
{%- endmacro %}

{% macro default__landed_parquet(directory, columns) -%}
    {%- set files = directory ~ '/dt=*/*.parquet' %}
    {%- set has_files = false %}
    {%- if execute %}
        {%- set has_files = run_query(
            "select count(*) from glob('" ~ files ~ "')").columns[0].values()[0] > 0 %}
    {%- endif %}
    {%- if has_files -%}
    read_parquet('{{ files }}', union_by_name = true, hive_partitioning = false)
    {%- else -%}
    (
        select
            {%- for name, type in columns %}
            cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
        where false
    )
    {%- endif %}
{%- endmacro %}

{% macro spark__landed_parquet(directory, columns) -%}
    {%- set parts = directory.rstrip('/').split('/') %}
    {%- set table = 'landing_files.' ~ parts[-2] ~ '__' ~ parts[-1] %}
    {%- if execute %}
        {%- do run_query('create schema if not exists landing_files') %}
        {%- do run_query(
            'create table if not exists ' ~ table ~ ' ('
            ~ columns | map('join', ' ') | join(', ')
            ~ ") using parquet options (recursiveFileLookup 'true')"
            ~ " location '" ~ directory ~ "'") %}
    {%- endif %}
    {{- table -}}
{%- endmacro %}
