{#- The first date an incremental run of a per-period model (week from Monday, calendar month)
    reads and rewrites: the start of the earliest week or month that holds a recomputed date,
    i.e. a date since the cutoff, or the publication date of a post observed since then (a
    post's metrics change until it reaches its fixed age, and with them the 30-day medians its
    period's viral posts are judged by). None on a full build. `measured_posts` is
    ref('int_posts_measured'), passed by the model so that dbt sees the dependency. -#}
{% macro period_recompute_since(cutoff_column, measured_posts) -%}
    {%- if not (is_incremental() and execute) %}
        {{- return(none) }}
    {%- endif %}
    {%- set cutoff = incremental_cutoff_date(cutoff_column) %}
    {%- set earliest_post = run_query(
        'select min(published_date) from ' ~ measured_posts
        ~ ' where last_observed_date >= ' ~ date_literal(cutoff)).columns[0].values()[0] %}
    {%- set since = [cutoff, as_date(earliest_post)] | min if earliest_post is not none
        else cutoff %}
    {{- return([since - modules.datetime.timedelta(days=since.weekday()),
                since.replace(day=1)] | min) }}
{%- endmacro %}

{#- `<column> >= <first recomputed date>` after `keyword` on an incremental run, nothing on a
    full build (`since` from period_recompute_since). -#}
{% macro since_period_recompute(column, since, keyword='where') -%}
    {%- if since -%}
        {{ keyword }} {{ column }} >= {{ date_literal(since) }}
    {%- endif -%}
{%- endmacro %}
