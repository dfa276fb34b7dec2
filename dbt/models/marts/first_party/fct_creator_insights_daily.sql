{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'metric_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'metric_date'},
    )
}}

-- One row per authorized account per metric date: the account-level daily metrics the
-- creator's grant gives (latest observation of each, int_creator_insights_unioned), one
-- column per metric, null where the platform did not give it (impressions and views stay
-- apart, see DECISIONLOG.md), and the reach rate against the follower count measured that
-- date by the public snapshot.

{%- set metrics = ['reach', 'views', 'impressions', 'profile_views', 'accounts_engaged',
                   'website_clicks', 'followers_gained', 'followers_lost', 'watch_minutes',
                   'interactions', 'likes', 'comments', 'shares'] %}

with

account_metrics as (

    select * from {{ ref('int_creator_insights_unioned') }}
    where
        post_id is null and period = 'day'
        {{ since_incremental_cutoff('metric_date', 'metric_date', keyword='and') }}

),

pivoted as (

    select
        account_key,
        platform,
        account_id,
        metric_date,
        {%- for metric in metrics %}
        max(case when metric_name = '{{ metric }}' then value end) as {{ metric }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from account_metrics
    group by account_key, platform, account_id, metric_date

),

followers as (

    select account_key, observed_date, followers
    from {{ ref('int_accounts_unioned') }}
    {{ since_incremental_cutoff('observed_date', 'metric_date') }}

),

account_kol as (

    -- the account's KOL in its newest registry entry
    select account_key, kol_id from {{ ref('int_registry_latest') }}
    qualify row_number() over (
        partition by account_key order by observed_date desc, kol_id asc
    ) = 1

)

select
    pivoted.platform,
    pivoted.account_id,
    pivoted.account_key,
    account_kol.kol_id,
    pivoted.metric_date,
    {%- for metric in metrics %}
    pivoted.{{ metric }},
    {%- endfor %}
    followers.followers,
    {{ safe_divide('pivoted.reach', 'followers.followers') }} as reach_rate,
    true as is_first_party
from pivoted
left join followers
    on
        pivoted.account_key = followers.account_key
        and pivoted.metric_date = followers.observed_date
left join account_kol on pivoted.account_key = account_kol.account_key
{{ cluster_by('metric_date') }}
