{#- The Wilson score interval of a proportion: `successes` of `trials`, at z = 1.96 (95 %).
    Unlike share +- z * standard error it stays inside 0..1 and is honest for small n and for
    shares near 0 or 1 (Wilson 1927; Brown, Cai & DasGupta 2001). Null when trials is 0. -#}
{% macro wilson_bound(successes, trials, side, z=1.96) -%}
    {%- set p = "(cast(" ~ successes ~ " as double) / nullif(" ~ trials ~ ", 0))" -%}
    {%- set n = "cast(" ~ trials ~ " as double)" -%}
    (({{ p }} + {{ z * z }} / (2 * {{ n }})
        {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt({{ p }} * (1 - {{ p }}) / {{ n }}
            + {{ z * z }} / (4 * {{ n }} * {{ n }})))
        / (1 + {{ z * z }} / {{ n }}))
{%- endmacro %}
