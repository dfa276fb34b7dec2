{#- What dbt gives the models at compile time, for linting with sqlfluff's jinja templater
    (../.sqlfluff): a model renders as a daily incremental run on DuckDB before the warehouse
    is queried (`execute` is false, so nothing calls run_query). Not loaded by dbt. -#}

{% macro env_var(name, default=none) -%}
    {{ return(default or '/landing') }}
{%- endmacro %}

{% macro run_query(sql) -%}
    {{ return(none) }}
{%- endmacro %}

{#- The project's vars, read from dbt_project.yml (library/project.py). One argument: a var
    given an inline default instead of a declaration fails the lint. -#}
{% macro var(name) -%}
    {{ return(project.vars[name]) }}
{%- endmacro %}
