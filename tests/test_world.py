from __future__ import annotations

from datetime import date

from kolpipe.sandbox.world import World, round_significant


def test_world_is_deterministic_and_order_independent():
    a, b = World(50), World(50)
    day = date(2026, 6, 1)
    later_first = [acc.followers_on(date(2026, 6, 9)) for acc in b.accounts]
    assert [acc.followers_on(day) for acc in a.accounts] == [acc.followers_on(day)
                                                              for acc in b.accounts]
    assert later_first == [acc.followers_on(date(2026, 6, 9)) for acc in a.accounts]
    posts_a = [p.post_id for acc in a.accounts for p in acc.recent_posts(day, 14)]
    posts_b = [p.post_id for acc in b.accounts for p in acc.recent_posts(day, 14)]
    assert posts_a == posts_b and len(set(posts_a)) == len(posts_a)


def test_world_covers_niches_languages_and_planted_problems():
    world = World(200)
    assert {a.language for a in world.accounts} >= {"en", "zh", "bn", "lv"}
    assert len({a.niche for a in world.accounts}) == 11
    problems = {label["problem"] for label in world.labels()}
    assert {"follower_spike", "fake_audience", "dormant", "private", "renamed_handle"} <= problems


def test_follower_spike_is_visible_in_daily_change():
    world = World(200)
    spiked = next(a for a in world.accounts if "follower_spike" in a.problems)
    day = spiked.problems["follower_spike"]
    before = spiked.followers_on(day.fromordinal(day.toordinal() - 1))
    assert spiked.followers_on(day) - before >= spiked.spike_size * 0.9


def test_metrics_grow_with_post_age():
    account = next(a for a in World(50).accounts if a.recent_posts(date(2026, 6, 1), 1))
    post = account.recent_posts(date(2026, 6, 1), 1)[0]
    day1 = account.metrics_on(post, date(2026, 6, 1))
    day7 = account.metrics_on(post, date(2026, 6, 7))
    assert day7.likes >= day1.likes and day7.views >= day1.views


def test_youtube_rounding_keeps_three_significant_figures():
    assert round_significant(123_456) == 123_000
    assert round_significant(999) == 999
    assert round_significant(1_234_567) == 1_230_000
