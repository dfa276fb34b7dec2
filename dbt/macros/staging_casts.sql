{#- The two conversions every staging model applies to landed values. -#}

{#- A count as landed; negative values are the platforms' "hidden" placeholders (e.g. -1 for a
    hidden like count), which must never reach a sum or a rate. Null stays null, 0 stays 0. -#}
{% macro count_or_null(column) -%}
    case when {{ column }} >= 0 then cast({{ column }} as bigint) end
{%- endmacro %}

{#- What a count is, kept beside it because count_or_null turns two different things into null:
    hidden (a negative placeholder; or, where the platform omits the field only when the owner
    hides it, a null: `null_is='hidden'`), not_returned (null) or measured (0 included). -#}
{% macro count_status(column, null_is='not_returned') -%}
    case
        when {{ column }} < 0 then 'hidden'
        when {{ column }} is null then '{{ null_is }}'
        else 'measured'
    end
{%- endmacro %}

{#- Landed timestamps are timestamptz; the warehouse keeps `..._at` as naive UTC timestamps so
    that casting to a date never depends on the session time zone. -#}
{% macro utc_timestamp(column) -%}
    {{ return(adapter.dispatch('utc_timestamp')(column)) }}
{%- endmacro %}
