{#- SQL functions whose name, argument order or null handling differ between DuckDB (default__)
    and Spark (spark__). Each returns an expression. -#}

{#- Whole days from start_date to end_date, as bigint (DuckDB's date - date). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}
{% macro spark__days_between(start_date, end_date) -%}
    cast(datediff({{ end_date }}, {{ start_date }}) as bigint)
{%- endmacro %}

{#- The value on the row with the highest (arg_max) / lowest (arg_min) ordering, skipping rows
    whose value or ordering is null (DuckDB's arg_max; Spark's max_by would return a null value).
    Ties: DuckDB keeps the first row it meets, Spark the last; give `tie_date` (a date column)
    where ties occur and Spark keeps the earliest date's row, as DuckDB does on a window ordered
    by that date. -#}
{% macro arg_max(value, ordering, tie_date=none) -%}
    {{ return(adapter.dispatch('arg_max')(value, ordering, tie_date)) }}
{%- endmacro %}
{% macro default__arg_max(value, ordering, tie_date=none) -%}
    arg_max({{ value }}, {{ ordering }})
{%- endmacro %}
{% macro spark__arg_max(value, ordering, tie_date=none) -%}
    max_by({{ value }}, case when {{ value }} is not null and {{ ordering }} is not null then
        {%- if tie_date %} struct({{ ordering }}, -unix_date({{ tie_date }}))
        {%- else %} {{ ordering }}{% endif %} end)
{%- endmacro %}

{% macro arg_min(value, ordering) -%}
    {{ return(adapter.dispatch('arg_min')(value, ordering)) }}
{%- endmacro %}
{% macro default__arg_min(value, ordering) -%}
    arg_min({{ value }}, {{ ordering }})
{%- endmacro %}
{% macro spark__arg_min(value, ordering) -%}
    min_by({{ value }}, case when {{ value }} is not null then {{ ordering }} end)
{%- endmacro %}

{#- The interpolated quantile (0..1) of a group (quantile_cont; Spark's percentile). -#}
{% macro quantile_cont(column, fraction) -%}
    {{ return(adapter.dispatch('quantile_cont')(column, fraction)) }}
{%- endmacro %}
{% macro default__quantile_cont(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}
{% macro spark__quantile_cont(column, fraction) -%}
    percentile({{ column }}, {{ fraction }})
{%- endmacro %}

{#- The median and the median absolute deviation of a column over a named window with a
    frame. Spark allows no frame on percentile aggregates, so it sorts the frame's values into
    an array and takes the middle of it. -#}
{% macro median_over(column, window) -%}
    {{ return(adapter.dispatch('median_over')(column, window)) }}
{%- endmacro %}
{% macro default__median_over(column, window) -%}
    median({{ column }}) over {{ window }}
{%- endmacro %}
{% macro spark__median_over(column, window) -%}
    {{ spark_array_median('array_sort(collect_list(' ~ column ~ ') over ' ~ window ~ ')') }}
{%- endmacro %}

{% macro mad_over(column, window) -%}
    {{ return(adapter.dispatch('mad_over')(column, window)) }}
{%- endmacro %}
{% macro default__mad_over(column, window) -%}
    mad({{ column }}) over {{ window }}
{%- endmacro %}
{% macro spark__mad_over(column, window) -%}
    {{ spark_array_mad('collect_list(' ~ column ~ ') over ' ~ window) }}
{%- endmacro %}

{#- The median absolute deviation of a group (DuckDB's mad aggregate). -#}
{% macro median_absolute_deviation(column) -%}
    {{ return(adapter.dispatch('median_absolute_deviation')(column)) }}
{%- endmacro %}
{% macro default__median_absolute_deviation(column) -%}
    mad({{ column }})
{%- endmacro %}
{% macro spark__median_absolute_deviation(column) -%}
    {{ spark_array_mad('collect_list(' ~ column ~ ')') }}
{%- endmacro %}

{#- The median absolute deviation of an array expression's values, as a double. -#}
{% macro spark_array_mad(values) -%}
    {%- set values_median = spark_array_median('array_sort(' ~ values ~ ')') %}
    {{ spark_array_median('array_sort(transform(' ~ values ~ ', v -> abs(v - '
                          ~ values_median ~ ')))') }}
{%- endmacro %}

{#- The median of a sorted array expression (null when empty), as a double. -#}
{% macro spark_array_median(sorted_array) -%}
    {#- the two middle positions (the same one for an odd size); 1 for an empty array, whose
        element 1 is null where element 0 would be an error -#}
    {%- set middle = '(size(' ~ sorted_array ~ ') + 1) / 2' %}
    aggregate(
        array(
            element_at({{ sorted_array }}, greatest(1, cast(floor({{ middle }}) as int))),
            element_at({{ sorted_array }}, greatest(1, cast(ceil({{ middle }}) as int)))
        ),
        cast(0 as double),
        (total, v) -> total + v,
        total -> case when size({{ sorted_array }}) > 0 then total / 2 end
    )
{%- endmacro %}

{#- The mean of the non-null values of a list of expressions (null when all are null). -#}
{% macro mean_of_values(expressions) -%}
    {{ return(adapter.dispatch('mean_of_values')(expressions)) }}
{%- endmacro %}
{% macro default__mean_of_values(expressions) -%}
    list_avg([{{ expressions | join(', ') }}])
{%- endmacro %}
{% macro spark__mean_of_values(expressions) -%}
    {%- set known_values = 'filter(array(' ~ expressions | join(', ') ~ '), v -> v is not null)' %}
    aggregate(
        {{ known_values }},
        cast(0 as double),
        (total, v) -> total + v,
        total -> total / nullif(size({{ known_values }}), 0)
    )
{%- endmacro %}

{#- Several columns compared as one value (e.g. `is distinct from lag(...)`). -#}
{% macro row_value(columns) -%}
    {{ return(adapter.dispatch('row_value')(columns)) }}
{%- endmacro %}
{% macro default__row_value(columns) -%}
    ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__row_value(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}

{#- The value of the first row of the group in an order given as [expression, 'asc'|'desc']
    pairs, nulls last. Spark has no ordered aggregates: min_by over a struct of the keys
    (a descending key must be numeric, it is negated). -#}
{% macro first_by(value, order_by) -%}
    {{ return(adapter.dispatch('first_by')(value, order_by)) }}
{%- endmacro %}
{% macro default__first_by(value, order_by) -%}
    first({{ value }} order by
        {%- for expression, direction in order_by %} {{ expression }} {{ direction }} nulls last
        {{- "," if not loop.last }}{% endfor %})
{%- endmacro %}
{% macro spark__first_by(value, order_by) -%}
    min_by({{ value }}, struct(
        {%- for expression, direction in order_by -%}
        {{ expression }} is null, {{ '-' if direction == 'desc' }}{{ expression }}
        {{- ", " if not loop.last }}
        {%- endfor %}))
{%- endmacro %}

{#- The distinct values of a group, sorted, joined by a separator. -#}
{% macro sorted_distinct_string_agg(column, separator) -%}
    {{ return(adapter.dispatch('sorted_distinct_string_agg')(column, separator)) }}
{%- endmacro %}
{% macro default__sorted_distinct_string_agg(column, separator) -%}
    string_agg(distinct {{ column }}, '{{ separator }}' order by {{ column }})
{%- endmacro %}
{% macro spark__sorted_distinct_string_agg(column, separator) -%}
    array_join(array_sort(collect_set({{ column }})), '{{ separator }}')
{%- endmacro %}

{#- One row per value of a list, as a single column. -#}
{% macro values_as_rows(values, column) -%}
    {{ return(adapter.dispatch('values_as_rows')(values, column)) }}
{%- endmacro %}
{% macro default__values_as_rows(values, column) -%}
    select unnest({{ values }}) as {{ column }}
{%- endmacro %}
{% macro spark__values_as_rows(values, column) -%}
    select explode(array(
        {%- for value in values %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
    )) as {{ column }}
{%- endmacro %}

{#- A landed timestamp (a UTC instant) as the warehouse's UTC timestamp. DuckDB: a naive
    timestamp in UTC. Spark: its timestamp type, read in the UTC session time zone the profile
    sets, so a cast to date gives the UTC date on both. -#}
{#- (utc_timestamp in staging_casts.sql dispatches here) -#}
{% macro default__utc_timestamp(column) -%}
    timezone('UTC', {{ column }})
{%- endmacro %}
{% macro spark__utc_timestamp(column) -%}
    {{ column }}
{%- endmacro %}

{#- Written after the replacement argument of regexp_replace to replace every match: DuckDB
    replaces the first match unless given 'g'; Spark always replaces all (its 4th argument is a
    position). Pattern literals stay in the model, because Jinja would unescape backslashes. -#}
{% macro replace_all_flag() -%}
    {{ return(adapter.dispatch('replace_all_flag')()) }}
{%- endmacro %}
{% macro default__replace_all_flag() -%}
    , 'g'
{%- endmacro %}
{% macro spark__replace_all_flag() -%}
{%- endmacro %}

{#- Whether a text contains a Han (Chinese) character. Java's regexes name a script with Is. -#}
{% macro contains_han_script(column) -%}
    {{ return(adapter.dispatch('contains_han_script')(column)) }}
{%- endmacro %}
{% macro default__contains_han_script(column) -%}
    regexp_matches({{ column }}, '\p{Han}')
{%- endmacro %}
{% macro spark__contains_han_script(column) -%}
    regexp({{ column }}, '\p{IsHan}')
{%- endmacro %}

{#- The number of parts a text splits into at a separator ('' is one part). -#}
{% macro split_count(column, separator) -%}
    {{ return(adapter.dispatch('split_count')(column, separator)) }}
{%- endmacro %}
{% macro default__split_count(column, separator) -%}
    length(string_split({{ column }}, '{{ separator }}'))
{%- endmacro %}
{% macro spark__split_count(column, separator) -%}
    size(split({{ column }}, '{{ separator }}', -1))
{%- endmacro %}
