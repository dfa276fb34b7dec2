{{
    config(
        materialized=upsert_materialization(),
        unique_key='post_key',
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'last_observed_date'},
    )
}}

-- One row per platform post: its counts at a fixed age, and its account's followers on the
-- publication day.
--  * Fixed age: the first observation at least var('fixed_age_days') days after the
--    publication date; a post without one (younger, or no longer observed) takes its latest
--    observation and is flagged is_immature.
--  * Publication-day followers: the account snapshot of the publication date, or the nearest
--    earlier snapshot when that day is missing. A post published before the account's first
--    snapshot (the backlog seen on the first extraction) takes the nearest later snapshot.
--    Any snapshot of another date is flagged is_followers_at_publication_estimated.
-- An incremental run recomputes the posts observed since the cutoff (a late observation, a post
-- reaching the fixed age or a backfilled snapshot of its publication day changes only those),
-- reading the metric observations from the earliest publication date among them on.
{%- set metrics_since = none %}
{%- if is_incremental() and execute %}
    {%- set cutoff = incremental_cutoff('last_observed_date') %}
    {%- set earliest = run_query(
        'select min(least(published_date, first_observed_date)) from '
        ~ ref('int_posts_unioned') ~ ' where last_observed_date >= ' ~ cutoff
    ).columns[0].values()[0] %}
    {%- set metrics_since = date_literal(as_date(earliest)) if earliest is not none
        else cutoff %}
{%- endif %}

with

posts as (

    select * from {{ ref('int_posts_unioned') }}
    {{ since_incremental_cutoff('last_observed_date', 'last_observed_date') }}

),

post_metrics as (

    select * from {{ ref('int_post_metrics_unioned') }}
    {% if metrics_since %}where observed_date >= {{ metrics_since }}{% endif %}

),

account_days as (

    select account_key, observed_date, followers from {{ ref('int_accounts_unioned') }}
    {% if metrics_since %}
    where observed_date >= {{ metrics_since }}

    union all

    -- the nearest snapshot before those dates, for a post whose publication day has none
    -- since (what the ASOF join below would have found in the whole history)
    select account_key, max(observed_date), {{ arg_max('followers', 'observed_date') }}
    from {{ ref('int_accounts_unioned') }}
    where observed_date < {{ metrics_since }}
    group by account_key
    {% endif %}

),

observations_with_age as (

    select
        post_metrics.*,
        {{ days_between('posts.published_date', 'post_metrics.observed_date') }} as age_days
    from post_metrics
    inner join posts on post_metrics.post_key = posts.post_key

),

chosen_observation as (

    select
        post_key,
        coalesce(
            min(observed_date) filter (where age_days >= {{ var('fixed_age_days') }}),
            max(observed_date)
        ) as metrics_observed_date
    from observations_with_age
    group by post_key

),

posts_at_fixed_age as (

    select
        posts.post_key,
        posts.post_id,
        posts.platform,
        posts.account_key,
        posts.account_id,
        posts.caption,
        posts.media_type,
        posts.is_sponsored,
        posts.published_at,
        posts.published_date,
        posts.first_observed_date,
        posts.last_observed_date,
        observations_with_age.observed_date as metrics_observed_date,
        observations_with_age.age_days as metrics_age_days,
        -- a post never observed with metrics is immature too (it has no fixed-age counts)
        not coalesce(observations_with_age.age_days >= {{ var('fixed_age_days') }}, false)
            as is_immature,
        observations_with_age.likes,
        -- a post with no metrics observation has no count returned
        coalesce(observations_with_age.likes_status, 'not_returned') as likes_status,
        observations_with_age.comments,
        observations_with_age.shares,
        observations_with_age.saves,
        observations_with_age.quotes,
        observations_with_age.views
    from posts
    left join chosen_observation on posts.post_key = chosen_observation.post_key
    left join observations_with_age
        on chosen_observation.post_key = observations_with_age.post_key
        and chosen_observation.metrics_observed_date = observations_with_age.observed_date

),

with_followers as (

    select
        posts_at_fixed_age.*,
        case
            when snapshot_before.observed_date is not null then snapshot_before.followers
            else snapshot_after.followers
        end as followers_at_publication,
        coalesce(snapshot_before.observed_date, snapshot_after.observed_date)
            as followers_observed_date
    from posts_at_fixed_age
    {{ asof_left_join('posts_at_fixed_age', 'account_days', 'snapshot_before',
                      'account_key', 'published_date', '>=', 'observed_date') }}
    {{ asof_left_join('posts_at_fixed_age', 'account_days', 'snapshot_after',
                      'account_key', 'published_date', '<=', 'observed_date') }}

)

select
    *,
    coalesce(followers_observed_date != published_date, false)
        as is_followers_at_publication_estimated
from with_followers
{{ cluster_by('last_observed_date') }}
