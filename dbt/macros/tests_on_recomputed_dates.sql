{#- Data tests on the big date-keyed models check the dates the run recomputed, so a day's tests
    cost the same after a year of history as after a month (the rest was tested by the runs
    that built it). A model opts in with `meta: {tested_date_column: <column>}`; a run with
    --vars '{logical_date: D}' then tests its rows dated from D minus var('lookback_days') on
    (the incremental models' window, see incremental_cutoff). A run without a logical date (a
    manual `dbt build`) and a --full-refresh test every row. This overrides dbt's
    get_where_subquery (dbt's documented way to template test filters at run time); a test's
    own `where` config still applies. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] %}
    {%- if config.get('where') %}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') %}
    {%- endif %}
    {%- set since = recomputed_dates_condition() %}
    {%- if since %}
        {%- do conditions.append(since) %}
    {%- endif %}
    {%- if conditions %}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ')
                      ~ ') dbt_subquery') %}
    {%- endif %}
    {%- do return(relation) %}
{%- endmacro %}

{% macro recomputed_dates_condition() -%}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '', {}) if execute else {} %}
    {%- set column = tested.get('config', {}).get('meta', {}).get('tested_date_column') %}
    {%- set since = first_recomputed_date() %}
    {%- if not column or not since %}
        {%- do return(none) %}
    {%- endif %}
    {%- do return(column ~ ' >= ' ~ date_literal(since)) %}
{%- endmacro %}

{#- For singular tests over the big date-keyed models: `<column> >= <first recomputed date>` on
    a daily run, `true` on a run that tests every row. -#}
{% macro on_recomputed_dates(column) -%}
    {%- set since = first_recomputed_date() %}
    {{- column ~ ' >= ' ~ date_literal(since) if since else 'true' -}}
{%- endmacro %}

{% macro first_recomputed_date() -%}
    {%- set logical_date = logical_date_var() if execute else none %}
    {%- if not logical_date or flags.FULL_REFRESH %}
        {%- do return(none) %}
    {%- endif %}
    {%- do return(logical_date - modules.datetime.timedelta(days=var('lookback_days'))) %}
{%- endmacro %}
