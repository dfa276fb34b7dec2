-- Every post of a KOL account is counted exactly once per period grain in kol_performance:
-- a mismatch means a post fell between periods or landed in two.
with

expected as (

    select count(*) as posts
    from {{ ref('fct_posts') }} as posts
    inner join {{ ref('dim_account') }} as accounts on posts.account_key = accounts.account_key
    where accounts.kol_id is not null

),

counted as (

    select period_grain, sum(posts_published) as posts
    from {{ ref('kol_performance') }}
    group by period_grain

)

select counted.period_grain, counted.posts as counted_posts, expected.posts as expected_posts
from counted
cross join expected
where counted.posts != expected.posts
