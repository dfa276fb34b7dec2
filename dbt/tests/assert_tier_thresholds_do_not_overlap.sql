-- Within a platform, tier ranges [min_followers, max_followers) must not overlap, or an
-- account would fall into two tiers.
select a.platform, a.tier, b.tier as overlapping_tier
from {{ ref('tier_thresholds') }} as a
inner join {{ ref('tier_thresholds') }} as b
    on a.platform = b.platform
    and a.tier < b.tier
    and a.min_followers < coalesce(b.max_followers, 9223372036854775807)
    and b.min_followers < coalesce(a.max_followers, 9223372036854775807)
