-- Conservation: the engagements of KOL accounts' posts in fct_posts add up to the same total
-- in kol_performance for each period grain.
with

expected as (

    select coalesce(sum(posts.engagements), 0) as engagements
    from {{ ref('fct_posts') }} as posts
    inner join {{ ref('dim_account') }} as accounts on posts.account_key = accounts.account_key
    where accounts.kol_id is not null

),

counted as (

    select period_grain, coalesce(sum(engagements), 0) as engagements
    from {{ ref('kol_performance') }}
    group by period_grain

)

select counted.period_grain, counted.engagements, expected.engagements as expected_engagements
from counted
cross join expected
where counted.engagements != expected.engagements
