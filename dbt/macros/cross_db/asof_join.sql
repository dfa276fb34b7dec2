{#- A left ASOF join, written after `from <left>`: each row of `left` gets the row of
    `right_relation` (as `right_alias`) with the same `key` whose `right_date` is the nearest
    one before the left row's `left_date` (comparison '>=' or '>': left_date >= right_date) or
    after it ('<=' or '<').
    DuckDB has ASOF joins. Spark SQL has none (it even parses `asof` as a table alias and runs
    a plain left join), so there the nearest date is found by an aggregate and joined back;
    that needs `right_relation` to be unique on (key, right_date), as account snapshots are. -#}
{% macro asof_left_join(left, right_relation, right_alias, key, left_date, comparison,
                        right_date) -%}
    {{ return(adapter.dispatch('asof_left_join')(
        left, right_relation, right_alias, key, left_date, comparison, right_date)) }}
{%- endmacro %}

{% macro default__asof_left_join(left, right_relation, right_alias, key, left_date, comparison,
                                 right_date) -%}
    asof left join {{ right_relation }} as {{ right_alias }}
        on {{ left }}.{{ key }} = {{ right_alias }}.{{ key }}
        and {{ left }}.{{ left_date }} {{ comparison }} {{ right_alias }}.{{ right_date }}
{%- endmacro %}

{% macro spark__asof_left_join(left, right_relation, right_alias, key, left_date, comparison,
                               right_date) -%}
    {%- if comparison not in ['>=', '>', '<=', '<'] %}
        {{ exceptions.raise_compiler_error(
            "asof_left_join: comparison must be one of >=, >, <=, < (got " ~ comparison ~ ")") }}
    {%- endif %}
    {%- set nearest = 'max' if comparison.startswith('>') else 'min' %}
    {%- set match = right_alias ~ '__asof_match' %}
    left join (
        select
            asof_left.{{ key }},
            asof_left.{{ left_date }},
            {{ nearest }}(asof_right.{{ right_date }}) as matched_date
        from (select distinct {{ key }}, {{ left_date }} from {{ left }}) as asof_left
        inner join {{ right_relation }} as asof_right
            on asof_left.{{ key }} = asof_right.{{ key }}
            and asof_left.{{ left_date }} {{ comparison }} asof_right.{{ right_date }}
        group by asof_left.{{ key }}, asof_left.{{ left_date }}
    ) as {{ match }}
        on {{ left }}.{{ key }} = {{ match }}.{{ key }}
        and {{ left }}.{{ left_date }} = {{ match }}.{{ left_date }}
    left join {{ right_relation }} as {{ right_alias }}
        on {{ match }}.{{ key }} = {{ right_alias }}.{{ key }}
        and {{ match }}.matched_date = {{ right_alias }}.{{ right_date }}
{%- endmacro %}
