{#- Post metric definitions (see DECISIONLOG.md and the docs blocks of the same names). -#}

{#- engagements = the sum of every interaction the platform exposes publicly. A component the
    platform exposes but that is null (hidden or not returned) makes the sum null; components a
    platform never exposes are simply not part of its sum. Views are never engagements. -#}
{% macro engagements(platform='platform') -%}
    {%- set components = {
        'instagram': ['likes', 'comments'],
        'youtube': ['likes', 'comments'],
        'tiktok': ['likes', 'comments', 'shares'],
        'x': ['likes', 'comments', 'shares', 'saves', 'quotes'],
        'weibo': ['likes', 'comments', 'shares'],
    } -%}
    case {{ platform }}
        {%- for name, columns in components.items() %}
        when '{{ name }}' then {{ columns | join(' + ') }}
        {%- endfor %}
    end
{%- endmacro %}

{#- A ratio that is null (not infinite, not zero) when either side is null or the denominator
    is 0. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- The mean of a double column, identical on every build: avg() over doubles depends on the
    order rows arrive in (float addition is not associative), so an incremental run and a full
    refresh could differ in the last bit. A fixed-point decimal sum is exact and order-free;
    18 decimals are far below any rate's meaningful precision. -#}
{% macro exact_avg(column) -%}
    cast(avg(cast({{ column }} as decimal(38, 18))) as double)
{%- endmacro %}

{% macro exact_avg_over(column, window) -%}
    cast(avg(cast({{ column }} as decimal(38, 18))) over {{ window }} as double)
{%- endmacro %}

{#- Follower counts as the platforms give them. YouTube rounds a subscriber count of 1,000 or
    more to three significant figures, so it moves in steps of 10^(digits - 3): a change of one
    step may be a single subscriber crossing a rounding boundary, not growth. -#}
{% macro follower_count_step(platform, followers) -%}
    case
        when {{ platform }} = 'youtube' and {{ followers }} >= 1000
            then cast(pow(10, floor(log10({{ followers }})) - 2) as bigint)
        else 1
    end
{%- endmacro %}

{#- measured (exact), rounded (YouTube, see follower_count_step), hidden (the owner hid it:
    YouTube's hiddenSubscriberCount) or not_returned. Staging turns both of the last into null,
    so only the platform tells them apart: YouTube's null followers are hidden ones, since a
    missing required count is quarantined at extraction. -#}
{% macro followers_status(platform, followers) -%}
    case
        when {{ followers }} is null and {{ platform }} = 'youtube' then 'hidden'
        when {{ followers }} is null then 'not_returned'
        when {{ follower_count_step(platform, followers) }} > 1 then 'rounded'
        else 'measured'
    end
{%- endmacro %}
