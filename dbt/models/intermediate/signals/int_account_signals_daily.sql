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
-- days (int_follower_spike_evidence_daily, int_likes_burst_evidence_daily); signals that are
-- states (engagement against peers, follower/following ratio, comment genericity and rings,
-- engagement uniformity, fake-follower share) carry the value of the date itself.
-- Over 150 lines because it is the gate's one wide row: the joins of the signal models and
-- the list of their columns, grouped by signal, which reads best in one place.

with

account_days as (

    select * from {{ ref('int_account_days_with_growth') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

spikes as (

    select * from {{ ref('int_follower_spike_evidence_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

likes_bursts as (

    select * from {{ ref('int_likes_burst_evidence_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

),

engagement as (

    select * from {{ ref('int_engagement_signals_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

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

    -- low-confidence scores (TikTok's username and display name only) are shown in
    -- audience_credibility but never judged
    select * from {{ ref('int_follower_scores_daily') }}
    where score_confidence is distinct from 'low'
    {{ since_incremental_cutoff('observed_date', 'observed_date', keyword='and') }}

),

following_ratios as (

    select * from {{ ref('int_follower_following_ratios_daily') }}
    {{ since_incremental_cutoff('observed_date', 'observed_date') }}

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
    spikes.spike_robust_z,
    spikes.spike_date,
    spikes.spike_follower_gain,
    spikes.spike_baseline_change_median,
    spikes.spike_baseline_change_scale,
    spikes.spike_follower_count_step,
    spikes.spike_is_round_number_gain,
    case when spikes.spike_follower_gain > 0 then
        greatest(0, {{ safe_divide(
            'spikes.spike_followers_after - account_days.followers',
            'spikes.spike_follower_gain') }})
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

    -- fake followers in the scored follower samples (X, Weibo), with the 95 % interval
    follower_scores.fake_follower_share,
    follower_scores.fake_follower_share_ci_low,
    follower_scores.fake_follower_share_ci_high,
    follower_scores.fake_follower_share_of_day,
    follower_scores.follower_sample_days,
    follower_scores.followers_scored_in_window,
    follower_scores.fake_followers_in_window,
    follower_scores.platform_fake_follower_share_median,

    -- follower/following ratio against the platform-and-tier median
    following_ratios.follower_following_ratio,
    following_ratios.tier_follower_following_ratio_median,
    following_ratios.follower_following_ratio_vs_tier_median

from account_days
left join spikes
    on account_days.account_key = spikes.account_key
    and account_days.observed_date = spikes.observed_date
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
{{ cluster_by('observed_date') }}
