{{
    config(
        materialized=upsert_materialization(),
        unique_key=['account_key', 'observed_date'],
        incremental_strategy=upsert_strategy(),
        on_schema_change='fail',
        meta={'tested_date_column': 'observed_date'},
    )
}}

-- One row per platform account per observed date: every bot-inflation signal the account gate
-- (expectations/gate/account_gate.yml) judges, each with its evidence: the day it was seen,
-- the value and the band it was compared with. Signals that are events (a follower spike, a
-- burst of bought likes) carry the strongest occurrence of the last var('gate_evidence_days')
-- days, so the verdict of any date in that window still sees them; signals that are states
-- (engagement against peers, follower/following ratio, comment genericity and rings, engagement
-- uniformity, fake-follower share) carry the value of the date itself.
-- An incremental run recomputes the dates since the cutoff, reading the event signals of the
-- evidence window before it.

{%- set evidence_days = var('gate_evidence_days', 60) %}

with

account_days as (

    select * from {{ ref('int_account_days_with_growth') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

follower_changes as (

    select * from {{ ref('int_follower_changes_scored') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date', evidence_days - 1) }}

),

engagement as (

    select * from {{ ref('int_engagement_signals_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date', evidence_days - 1) }}

),

comment_signals as (

    select * from {{ ref('int_comment_signals_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

uniformity as (

    select * from {{ ref('int_engagement_uniformity_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

follower_scores as (

    select * from {{ ref('int_follower_scores_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

strongest_in_window as (

    select
        account_key,
        observed_date,
        max(spike_robust_z) over evidence_window as spike_robust_z,
        {{ arg_max('observed_date', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_date,
        {{ arg_max('follower_change', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_follower_gain,
        {{ arg_max('followers', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_followers_after,
        {{ arg_max('baseline_change_median', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_baseline_change_median,
        {{ arg_max('baseline_change_scale', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_baseline_change_scale,
        {{ arg_max('follower_count_step', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_follower_count_step,
        {{ arg_max('is_round_number_gain', 'spike_robust_z', tie_date='observed_date') }}
            over evidence_window as spike_is_round_number_gain
    from follower_changes
    window evidence_window as (
        partition by account_key
        order by observed_date
        range between interval {{ evidence_days - 1 }} day preceding and current row
    )

),

likes_bursts as (

    select
        engagement.account_key,
        engagement.observed_date,
        max(likes_per_comment_vs_platform_median) over evidence_window
            as likes_per_comment_vs_platform_median_max,
        {{ arg_max('observed_date', 'likes_per_comment_vs_platform_median',
                     tie_date='observed_date') }}
            over evidence_window as likes_per_comment_max_date,
        {{ arg_max('likes_per_comment', 'likes_per_comment_vs_platform_median',
                     tie_date='observed_date') }}
            over evidence_window as likes_per_comment_max
    from engagement
    window evidence_window as (
        partition by account_key
        order by observed_date
        range between interval {{ evidence_days - 1 }} day preceding and current row
    )

),

following_ratios as (

    select
        account_key,
        observed_date,
        platform,
        tier,
        {{ safe_divide('followers', 'following') }} as follower_following_ratio
    from account_days

),

following_norms as (

    select
        platform,
        tier,
        observed_date,
        median(follower_following_ratio) as tier_follower_following_ratio_median
    from following_ratios
    where follower_following_ratio is not null
    group by platform, tier, observed_date

)

select
    -- ids
    account_days.account_key,
    account_days.platform,
    account_days.account_id,
    account_days.observed_date,
    account_days.tier,
    account_days.followers,
    account_days.following,

    -- follower spike (strongest in the evidence window) and the purge after it
    strongest_in_window.spike_robust_z,
    strongest_in_window.spike_date,
    strongest_in_window.spike_follower_gain,
    strongest_in_window.spike_baseline_change_median,
    strongest_in_window.spike_baseline_change_scale,
    strongest_in_window.spike_follower_count_step,
    strongest_in_window.spike_is_round_number_gain,
    case when strongest_in_window.spike_follower_gain > 0 then
        greatest(0, {{ safe_divide(
            'strongest_in_window.spike_followers_after - account_days.followers',
            'strongest_in_window.spike_follower_gain') }})
    end as purge_share_of_spike_gain,

    -- engagement against the platform-and-tier band (the date's own value)
    engagement.engagement_rate_median_30d,
    engagement.posts_with_rate_30d,
    engagement.engagement_peer_group,
    engagement.engagement_peers,
    engagement.engagement_peer_median,
    engagement.engagement_peer_p10,
    engagement.engagement_peer_p90,
    engagement.engagement_rate_vs_peer_median,
    engagement.engagement_rate_expected_for_size,
    engagement.engagement_rate_vs_expected_for_size,

    -- likes per comment (strongest in the evidence window)
    likes_bursts.likes_per_comment_vs_platform_median_max,
    likes_bursts.likes_per_comment_max_date,
    likes_bursts.likes_per_comment_max,
    engagement.platform_likes_per_comment_median,
    -- the date's own value: bought comments come without likes
    engagement.likes_per_comment,
    engagement.likes_per_comment_vs_platform_median,

    -- comments (platforms with comment samples; state of the trailing window)
    comment_signals.comment_posts_sampled,
    comment_signals.comments_sampled,
    comment_signals.generic_comment_share,
    comment_signals.emoji_only_comment_share,
    comment_signals.platform_generic_comment_share_median,
    comment_signals.duplicate_comment_share,
    comment_signals.platform_duplicate_comment_share_median,
    comment_signals.ring_comment_share,
    comment_signals.ring_commenters,
    comment_signals.ring_registered_commenters,
    comment_signals.platform_ring_comment_share_median,

    -- engagement uniformity across posts (every platform)
    uniformity.engagement_rate_robust_cv,
    uniformity.uniformity_posts,
    uniformity.uniformity_engagements_median,
    uniformity.platform_engagement_rate_robust_cv_median,
    uniformity.engagement_rate_robust_cv_vs_platform_median,

    -- fake followers in the scored follower samples (X, Weibo)
    follower_scores.fake_follower_share,
    follower_scores.fake_follower_share_of_day,
    follower_scores.follower_sample_days,
    follower_scores.followers_scored_in_window,
    follower_scores.platform_fake_follower_share_median,

    -- follower/following ratio against the platform-and-tier median
    following_ratios.follower_following_ratio,
    following_norms.tier_follower_following_ratio_median,
    {{ safe_divide('following_ratios.follower_following_ratio',
                   'following_norms.tier_follower_following_ratio_median') }}
        as follower_following_ratio_vs_tier_median

from account_days
left join strongest_in_window
    on account_days.account_key = strongest_in_window.account_key
    and account_days.observed_date = strongest_in_window.observed_date
left join engagement
    on account_days.account_key = engagement.account_key
    and account_days.observed_date = engagement.observed_date
left join likes_bursts
    on account_days.account_key = likes_bursts.account_key
    and account_days.observed_date = likes_bursts.observed_date
left join comment_signals
    on account_days.account_key = comment_signals.account_key
    and account_days.observed_date = comment_signals.observed_date
left join uniformity
    on account_days.account_key = uniformity.account_key
    and account_days.observed_date = uniformity.observed_date
left join follower_scores
    on account_days.account_key = follower_scores.account_key
    and account_days.observed_date = follower_scores.observed_date
left join following_ratios
    on account_days.account_key = following_ratios.account_key
    and account_days.observed_date = following_ratios.observed_date
left join following_norms
    on following_ratios.platform = following_norms.platform
    and following_ratios.tier = following_norms.tier
    and following_ratios.observed_date = following_norms.observed_date
{{ cluster_by('observed_date') }}
