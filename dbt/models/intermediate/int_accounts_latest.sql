{{
    config(
        materialized=upsert_materialization(),
        unique_key='account_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
    )
}}

-- One row per platform account seen in a snapshot or as a post's author: its newest snapshot
-- (null for an account only seen as an author), its first snapshot date and its newest post.
-- The current state dim_account and the lifecycle stages read, kept so that a day's run
-- reads the dates it recomputed and this table (one row per account), not the whole history:
-- an incremental run merges what changed since the cutoff into the existing rows.

with

recomputed_days as (

    select
        *,
        min(observed_date) over (partition by account_key) as first_observed_date
    from {{ ref('int_account_days_with_growth') }}
    {{ since_incremental_cutoff('observed_date', 'last_observed_date') }}
    qualify row_number() over (partition by account_key order by observed_date desc) = 1

),

recomputed_posts as (

    select account_key, platform, account_id, max(published_date) as last_post_date
    from {{ ref('int_posts_unioned') }}
    {{ since_incremental_cutoff('last_observed_date', 'last_observed_date') }}
    group by account_key, platform, account_id

),

{% if is_incremental() %}
earlier as (

    select * from {{ this }}

),
{% endif %}

accounts as (

    select account_key, platform, account_id from recomputed_days
    union
    select account_key, platform, account_id from recomputed_posts
    {%- if is_incremental() %}
    union
    select account_key, platform, account_id from earlier
    {%- endif %}

)

{%- set snapshot_columns = ['handle', 'display_name', 'followers', 'tier',
                             'follower_growth_rel_30d', 'observed_date'] %}

select
    accounts.account_key,
    accounts.platform,
    accounts.account_id,
    {%- for column in snapshot_columns %}
    {%- set alias = 'last_observed_date' if column == 'observed_date' else column %}
    {%- if is_incremental() %}
    -- the recomputed dates hold the newest snapshot of every account they saw
    case
        when recomputed_days.account_key is not null then recomputed_days.{{ column }}
        else earlier.{{ alias }}
    end as {{ alias }},
    {%- else %}
    recomputed_days.{{ column }} as {{ alias }},
    {%- endif %}
    {%- endfor %}
    {%- if is_incremental() %}
    least(earlier.first_observed_date, recomputed_days.first_observed_date)
        as first_observed_date,
    greatest(earlier.last_post_date, recomputed_posts.last_post_date) as last_post_date
    {%- else %}
    recomputed_days.first_observed_date,
    recomputed_posts.last_post_date
    {%- endif %}
from accounts
left join recomputed_days on accounts.account_key = recomputed_days.account_key
left join recomputed_posts on accounts.account_key = recomputed_posts.account_key
{%- if is_incremental() %}
left join earlier on accounts.account_key = earlier.account_key
{%- endif %}
