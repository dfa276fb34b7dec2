{#- The cross-platform union of one staged entity: `select <columns> from stg_<platform>__<entity>`
    for every platform in var('platforms') (or in `platforms`, for an entity only some platforms
    expose), glued with `union all`, each select filtered by `where` when given. Every staging
    model of an entity outputs the shared vocabulary, so the column list is the contract
    between them. -#}
{% macro union_platforms(entity, columns, platforms=none, where=none) -%}
    {%- for platform in platforms or var('platforms') %}
    select {{ columns | join(', ') }}
    from {{ ref('stg_' ~ platform ~ '__' ~ entity) }}
    {% if where %}where {{ where }}{% endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
