{{ config(materialized='table') }}

-- One row per observed platform account: its lifecycle stage as of the newest landed date,
-- from its posting activity and its 30-day follower growth, with the thresholds of the
-- lifecycle_thresholds seed (a platform's own row; an empty cell falls back to the '*' row).
-- The first matching rule wins:
--   churned   not observed for churned_after_days_unobserved days (deleted, private, gone),
--             or no post for churned_after_days_without_post days
--   dormant   no post for dormant_after_days_without_post days
--   new       first snapshot fewer than new_max_days days before the newest date (with the
--             default 30, exactly the accounts that cannot have a 30-day growth yet)
--   growing   follower_growth_rel_30d >= growing_min_follower_growth_rel_30d
--   declining follower_growth_rel_30d <= declining_max_follower_growth_rel_30d
--   stable    in between
-- "No post" counts from the newest known post, or from the first snapshot when the account
-- has none. Null when no rule applies because the 30-day growth is unknown.
-- A table, not a view: read by dim_account and tested; a view is recomputed by every reader.
-- Reads the current state of each account (int_accounts_latest), one row per account.

with

accounts as (

    select * from {{ ref('int_accounts_latest') }}
    where last_observed_date is not null

),

as_of as (

    select max(last_observed_date) as as_of_date from accounts

),

thresholds as (

    select * from {{ ref('lifecycle_thresholds') }}

),

{%- set threshold_columns = [
    'new_max_days', 'dormant_after_days_without_post', 'churned_after_days_without_post',
    'churned_after_days_unobserved', 'growing_min_follower_growth_rel_30d',
    'declining_max_follower_growth_rel_30d',
] %}

measured as (

    select
        accounts.account_key,
        accounts.platform,
        as_of.as_of_date,
        accounts.first_observed_date,
        accounts.last_observed_date,
        accounts.last_post_date,
        accounts.follower_growth_rel_30d,
        {{ days_between('accounts.last_observed_date', 'as_of.as_of_date') }}
            as days_unobserved,
        {{ days_between(
            'coalesce(accounts.last_post_date, accounts.first_observed_date)',
            'as_of.as_of_date') }} as days_without_post,
        {{ days_between('accounts.first_observed_date', 'as_of.as_of_date') }}
            as days_of_history,
        {%- for column in threshold_columns %}
        coalesce(own.{{ column }}, fallback.{{ column }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from accounts
    cross join as_of
    left join thresholds as own on accounts.platform = own.platform
    left join thresholds as fallback on fallback.platform = '*'

)

select
    account_key,
    platform,
    as_of_date,
    first_observed_date,
    last_observed_date,
    last_post_date,
    days_without_post,
    follower_growth_rel_30d,
    case
        when days_unobserved >= churned_after_days_unobserved
            or days_without_post >= churned_after_days_without_post then 'churned'
        when days_without_post >= dormant_after_days_without_post then 'dormant'
        when days_of_history < new_max_days then 'new'
        when follower_growth_rel_30d >= growing_min_follower_growth_rel_30d then 'growing'
        when follower_growth_rel_30d <= declining_max_follower_growth_rel_30d then 'declining'
        when follower_growth_rel_30d is not null then 'stable'
    end as lifecycle_stage
from measured
