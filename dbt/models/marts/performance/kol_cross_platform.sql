-- One row per KOL per period: for each platform, the account's percentile of engagement rate,
-- follower growth and reach within its platform-and-tier peer group of that period, and the
-- KOL's strongest and weakest platform by the mean of those percentiles.
-- Raw rates are not comparable across platforms; percentiles within a peer group are.

{%- set metrics = {
    'engagement_rate': 'engagement_rate_by_followers_median',
    'growth': 'follower_growth_rel',
    'reach': 'reach',
} %}

with

performance as (

    select * from {{ ref('kol_performance') }}

),

percentiles as (

    select
        kol_id,
        platform,
        period_grain,
        period_start,
        {%- for name, column in metrics.items() %}
        -- percent_rank over the peers that have the metric; null below the minimum group size
        case
            when {{ column }} is not null
                and count({{ column }}) over peers >= {{ var('min_peer_group_size') }}
                then percent_rank() over (
                    partition by platform, tier, period_grain, period_start, {{ column }} is null
                    order by {{ column }}
                )
        end as {{ name }}_percentile{{ "," if not loop.last }}
        {%- endfor %}
    from performance
    window peers as (partition by platform, tier, period_grain, period_start)

),

scored as (

    {%- set percentile_columns = [] %}
    {%- for name in metrics %}{% do percentile_columns.append(name ~ '_percentile') %}{% endfor %}

    select
        *,
        {{ mean_of_values(percentile_columns) }} as platform_score
    from percentiles

)

select
    kol_id,
    period_grain,
    period_start,
    {%- for platform in var('platforms') %}
    {%- for name in metrics %}
    max(case when platform = '{{ platform }}' then {{ name }}_percentile end)
        as {{ platform }}_{{ name }}_percentile,
    {%- endfor %}
    {%- endfor %}
    cast(count(platform_score) as integer) as platforms_compared,
    case when count(platform_score) >= 2 then
        {{ first_by('platform', [['platform_score', 'desc'], ['platform', 'asc']]) }}
    end as strongest_platform,
    case when count(platform_score) >= 2 then
        {{ first_by('platform', [['platform_score', 'asc'], ['platform', 'asc']]) }}
    end as weakest_platform
from scored
group by kol_id, period_grain, period_start
