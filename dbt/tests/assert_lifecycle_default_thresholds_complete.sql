-- The '*' row of lifecycle_thresholds is the fallback of every platform's empty cells, so it
-- must exist and fill every cell; otherwise a rule would silently never fire.
with

defaults as (

    select * from {{ ref('lifecycle_thresholds') }} where platform = '*'

)

select 'missing default row' as problem
where not exists (select 1 from defaults)
union all
select 'empty default cell' as problem
from defaults
where new_max_days is null
   or dormant_after_days_without_post is null
   or churned_after_days_without_post is null
   or churned_after_days_unobserved is null
   or growing_min_follower_growth_rel_30d is null
   or declining_max_follower_growth_rel_30d is null
