-- One row per platform account per observed date: how much of the account's audience looks
-- real, estimated from a sample of its followers. The fake share comes with its 95 % Wilson
-- interval and n (the followers scored over the trailing var('fake_follower_days') days), the
-- scores' confidence and how the sample was drawn. Where there is no estimate the row says
-- why: Instagram and YouTube expose no follower list, so their audience quality rests on the
-- account-level signals the gate judges (engagement for the audience size, likes per comment,
-- follower spikes, follower/following ratio).

with

account_days as (

    select account_key, platform, account_id, observed_date
    from {{ ref('int_account_signals_daily') }}

),

scores as (

    select * from {{ ref('int_follower_scores_daily') }}

)

select
    account_days.account_key,
    account_days.platform,
    account_days.account_id,
    account_days.observed_date,
    scores.fake_follower_share,
    scores.fake_follower_share_ci_low,
    scores.fake_follower_share_ci_high,
    scores.followers_scored_in_window as followers_scored,
    scores.fake_followers_in_window as fake_followers,
    scores.follower_sample_days,
    scores.score_confidence,
    scores.score_fields,
    scores.sample_method,
    coalesce(scores.score_confidence in ('high', 'medium'), false) as is_judged_by_gate,
    case
        when account_days.platform in ('instagram', 'youtube')
            then 'no follower list on this platform: audience quality from the account-level '
                || 'signals only (engagement for size, likes per comment, follower spikes, '
                || 'follower/following ratio)'
        when scores.account_key is null
            then 'no follower sample scored in the last '
                || {{ var('fake_follower_days') }} || ' days'
    end as no_estimate_reason
from account_days
left join scores
    on account_days.account_key = scores.account_key
    and account_days.observed_date = scores.observed_date
