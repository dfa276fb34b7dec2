-- Follower counts and reach are never negative anywhere in the marts.
select 'fct_account_daily' as model, account_key, followers
from {{ ref('fct_account_daily') }} where followers < 0
union all
select 'dim_account', account_key, followers
from {{ ref('dim_account') }} where followers < 0
union all
select 'kol_performance', account_key, reach
from {{ ref('kol_performance') }} where reach < 0
