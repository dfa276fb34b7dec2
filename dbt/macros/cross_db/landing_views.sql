{#- Sources read the Parquet landing zone in place. dbt-duckdb does it through each source's
    `external_location` (read_parquet of the dt=* partitions). Spark has no such source
    config, so at the start of every Spark run (on-run-start) each source becomes a view over
    the same files, named as dbt names the source relation (<source>.<table>). The files are
    found from the same external_location, so the landing layout is written down once. -#}
{% macro register_landing_views() -%}
    {{ return(adapter.dispatch('register_landing_views')()) }}
{%- endmacro %}

{% macro default__register_landing_views() -%}
    select 1 as nothing_to_register
{%- endmacro %}

{% macro spark__register_landing_views() -%}
    {%- if execute %}
    {%- for source in graph.sources.values() if source.package_name == project_name %}
        {%- set location = landing_files(source) %}
        {%- set relation = source.schema ~ '.' ~ source.identifier %}
        {%- do run_query('create schema if not exists ' ~ source.schema) %}
        {%- if source.meta.get('may_have_no_files')
            or source.source_meta.get('may_have_no_files') %}
        {#- the files of the pipeline's own stages (see landed_or_empty) may not exist yet:
            an external table over their directory, with the declared columns, reads as empty
            until they do #}
        {%- set columns = [] %}
        {%- for column in source.columns.values() %}
            {%- do columns.append(column.name ~ ' ' ~ column.data_type) %}
        {%- endfor %}
        {%- do run_query(
            'create table if not exists ' ~ relation ~ ' (' ~ columns | join(', ')
            ~ ") using parquet options (recursiveFileLookup 'true') location '"
            ~ location.split('/dt=')[0] ~ "'") %}
        {%- else %}
        {%- do run_query('create or replace view ' ~ relation
                         ~ ' as select * from parquet.`' ~ location ~ '`') %}
        {%- endif %}
    {%- endfor %}
    {%- endif %}
    select 1 as landing_views_registered
{%- endmacro %}

{#- The file pattern a source reads: the first quoted argument of its read_parquet(...)
    external_location, with {landing} and {name} filled in from the meta as dbt-duckdb does.
    It stays a SQL string's content (a quote doubled, see dbt_project.yml's sources meta), to
    be put back between quotes. -#}
{% macro landing_files(source) -%}
    {%- set external_location = source.meta.get('external_location')
        or source.source_meta.get('external_location') %}
    {%- set match = modules.re.search(
        "read_parquet\\(\\s*'((?:[^']|'')+)'", external_location or '') %}
    {%- if not match %}
        {{ exceptions.raise_compiler_error(
            "source " ~ source.source_name ~ "." ~ source.name ~ " has no read_parquet('...') "
            ~ "external_location to read on " ~ target.type) }}
    {%- endif %}
    {%- set fields = {} %}
    {%- do fields.update(source.source_meta) %}
    {%- do fields.update(source.meta) %}
    {{- match.group(1).format_map(dict(fields, name=source.name)) -}}
{%- endmacro %}
