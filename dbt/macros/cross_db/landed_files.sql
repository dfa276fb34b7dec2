{#- A source that the pipeline's own Python stages write (models/staging/gate/_gate__sources.yml:
    the gate's verdicts, the follower scores), for a staging model's `from`. Such a source has
    no files until its stage first runs; it then reads as empty, with the columns (and their
    data_type) the source declares.
    DuckDB: the source's read_parquet when its files exist, else an empty select. Spark: the
    external table on-run-start registered over the directory with those columns (reading a
    directory that does not exist yet gives no rows), see register_landing_views. -#}
{% macro landed_or_empty(source_relation) -%}
    {{ return(adapter.dispatch('landed_or_empty')(source_relation)) }}
{%- endmacro %}

{% macro default__landed_or_empty(source_relation) -%}
    {#- a unit test's graph has no sources: source() is then the test's fixture rows #}
    {%- if not execute or 'sources' not in graph %}
        {{- return(source_relation) }}
    {%- endif %}
    {%- set node = source_node(source_relation) %}
    {%- set has_files = run_query(
        "select count(*) from glob('" ~ landing_files(node) ~ "')").columns[0].values()[0] > 0 %}
    {%- if has_files -%}
    {{ source_relation }}
    {%- else -%}
    (
        select
            {%- for column in node.columns.values() %}
            cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
            {%- endfor %}
        where false
    )
    {%- endif %}
{%- endmacro %}

{% macro spark__landed_or_empty(source_relation) -%}
    {{- source_relation -}}
{%- endmacro %}

{#- The graph node of a source relation (from source()), for its meta and columns. -#}
{% macro source_node(source_relation) -%}
    {%- set found = [] %}
    {%- for node in graph.sources.values() if node.package_name == project_name
        and node.schema == source_relation.schema
        and node.identifier == source_relation.identifier %}
        {%- do found.append(node) %}
    {%- endfor %}
    {%- if not found %}
        {{ exceptions.raise_compiler_error(
            "no source of this project is read as " ~ source_relation.schema ~ "."
            ~ source_relation.identifier) }}
    {%- endif %}
    {{ return(found[0]) }}
{%- endmacro %}
