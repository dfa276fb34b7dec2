-- Engagement rates are shares of an audience: negative is impossible. A viral post with bought
-- likes can reach several interactions per follower (the gate flags those), but above 20 means
-- a unit or join error.
select post_key, engagement_rate_by_followers, engagement_rate_by_views
from {{ ref('fct_posts') }}
where engagement_rate_by_followers not between 0 and 20
   or engagement_rate_by_views not between 0 and 20
