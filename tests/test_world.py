from __future__ import annotations

from datetime import date, timedelta

from kolpipe.core.fields import entities
from kolpipe.core.paths import PLATFORMS
from kolpipe_tools.sandbox.world import (
    BOT_COMMENTS,
    GENERIC_COMMENTS,
    UNSAFE_PHRASES,
    World,
    round_significant,
)


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


def _generic_share(account, day):
    comments = [c for p in account.recent_posts(day, 7) for c in account.comments_on(p, day, 100)]
    texts = [c.text for c in comments]
    says_nothing = set(GENERIC_COMMENTS) | set(BOT_COMMENTS)
    return sum(t in says_nothing for t in texts) / max(1, len(texts)), len(texts)


def test_audience_and_comment_problems_are_planted_and_labelled():
    world, day = World(200), date(2026, 6, 1)
    problems = {label["problem"] for label in world.labels()}
    assert {"engagement_pod", "generic_comments", "deleted_posts", "brand_unsafe",
            "bought_likes", "fake_audience"} <= problems

    def fake_share(account):
        sample = account.follower_sample(day, 100)
        return sum(f["is_fake"] for f in sample) / len(sample)

    live = [a for a in world.accounts if a.exists_on(day)]
    faked = [fake_share(a) for a in live if "fake_audience" in a.problems]
    genuine = [fake_share(a) for a in live if not a.problems]
    assert min(faked) > 0.3 and max(genuine) < 0.25
    assert sum(genuine) / len(genuine) > 0.02  # genuine audiences have a few fakes too

    generic = [_generic_share(a, day) for a in live if "generic_comments" in a.problems]
    normal = [_generic_share(a, day) for a in live if not a.problems]
    generic = [share for share, n in generic if n >= 20]
    normal = [share for share, n in normal if n >= 20]
    assert min(generic) > 0.45 and 0.03 < sum(normal) / len(normal) < 0.3


def test_pods_comment_on_every_post_of_their_ring():
    world, day = World(200), date(2026, 6, 1)
    pods = [a for a in world.accounts if "engagement_pod" in a.problems]
    assert pods and all(len(a.pod) >= 3 for a in pods)
    checked = 0
    for account in pods:
        ring = {user_id for user_id, _ in account.pod}
        for post in account.recent_posts(day, 7):
            every = account.metrics_on(post, day).comments
            comments = account.comments_on(post, day, every)
            if every >= len(ring):
                assert ring <= {c.author_id for c in comments}
                checked += 1
    assert checked > 0


def test_deleted_posts_disappear_and_unsafe_captions_appear():
    world = World(200)
    deleters = [a for a in world.accounts if "deleted_posts" in a.problems]
    posts = [(a, p) for a in deleters
             for d in range(40)
             for p in a.posts_published_on(max(a.problems["deleted_posts"], a.created_on)
                                           + timedelta(days=d))]
    deleted = [(a, p) for a, p in posts if p.deleted_on is not None]
    assert len(deleted) > 0.2 * len(posts) > 0
    for account, post in deleted[:20]:
        before, after = post.deleted_on - timedelta(days=1), post.deleted_on
        assert post.post_id in {p.post_id for p in account.recent_posts(before, 21)}
        assert post.post_id not in {p.post_id for p in account.recent_posts(after, 21)}
    unsafe = next(a for a in world.accounts if "brand_unsafe" in a.problems
                  and not a.problems.keys() & {"dormant", "churned"})
    since = max(unsafe.problems["brand_unsafe"], unsafe.created_on)
    captions = [p.caption for d in range(60)
                for p in unsafe.posts_published_on(since + timedelta(days=d))]
    assert any(any(phrase in c for phrase in UNSAFE_PHRASES) for c in captions)


def test_comments_are_stable_across_days_and_newest_first():
    account = next(a for a in World(50).accounts if a.recent_posts(date(2026, 6, 1), 1)
                   and a.metrics_on(a.recent_posts(date(2026, 6, 1), 1)[0],
                                    date(2026, 6, 1)).comments >= 3)
    post = account.recent_posts(date(2026, 6, 1), 1)[0]
    first = account.comments_on(post, date(2026, 6, 1), 100)
    later = account.comments_on(post, date(2026, 6, 3), 1000)
    assert {c.comment_id for c in first} <= {c.comment_id for c in later}
    assert [c.created_at for c in first] == sorted((c.created_at for c in first), reverse=True)


def _mature_posts(account, day, days=40):
    """(metrics at 7 days, followers on publication) of the posts of `days` days before `day`."""
    return [(account.metrics_on(p, p.published_at.date() + timedelta(days=7)),
             account.followers_on(p.published_at.date()))
            for back in range(7, 7 + days)
            for p in account.posts_published_on(day - timedelta(days=back))]


def _robust_spread(values):
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    deviations = sorted(abs(v - median) for v in values)
    return 1.4826 * deviations[len(deviations) // 2] / median


def test_pods_raise_and_flatten_engagement_and_farms_add_comments():
    world, day = World(200), date(2026, 6, 30)
    live = [a for a in world.accounts if a.exists_on(day) and not a.hidden_likes
            and not a.problems.keys() & {"dormant", "bought_likes", "fake_audience"}]

    def spread_and_likes_per_comment(account):
        posts = _mature_posts(account, day)
        if len(posts) < 10:
            return None
        rates = [(m.likes + m.comments + m.shares + m.saves) / f for m, f in posts if f]
        likes = sum(m.likes for m, _ in posts) / max(1, sum(m.comments for m, _ in posts))
        return _robust_spread(rates), likes

    def median(values):
        return sorted(values)[len(values) // 2]

    pods = [a for a in live if "engagement_pod" in a.problems]
    for account in pods:  # every ring member comments on every post
        for metrics, _ in _mature_posts(account, day, 10):
            assert metrics.comments >= len(account.pod) + account.pod_extra_members
    stats = {kind: [s for a in live if kind(a) and (s := spread_and_likes_per_comment(a))]
             for kind in (lambda a: "engagement_pod" in a.problems,
                          lambda a: a.problems.keys() == {"generic_comments"},
                          lambda a: not a.problems)}
    pod_stats, farm_stats, clean_stats = stats.values()
    assert len(pod_stats) >= 10 and len(farm_stats) >= 5 and len(clean_stats) >= 150
    # pods: posts far more alike than genuine audiences; farms: comments nobody likes
    assert median([s for s, _ in pod_stats]) < 0.5 * median([s for s, _ in clean_stats])
    assert median([lpc for _, lpc in farm_stats]) < 0.4 * median([lpc for _, lpc in clean_stats])
    # genuine audiences vary: no clean account is as steady as the median pod
    assert sum(s < median([s for s, _ in pod_stats]) for s, _ in clean_stats) <= 2


def _leaves(item: dict, prefix: str = "") -> set[str]:
    paths = set()
    for key, value in item.items():
        paths |= _leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return paths


def _served_items(world: World, day: date):
    """(platform, entities, item): every kind of record the sandbox serves, from its builders."""
    from kolpipe_tools.sandbox.routes import instagram, tiktok, weibo, x, youtube

    for a in world.accounts:
        if not a.exists_on(day) or a.is_private_on(day):
            continue
        posts = a.recent_posts(day, 21)[:3]
        followers = a.follower_sample(day, 3)
        comments = [c for post in posts[:1] for c in a.comments_on(post, day, 3)]
        both = ("posts", "post_metrics")
        if a.platform == "instagram":
            yield "instagram", ("accounts",), instagram.user_item(a, day, 40)
            yield from (("instagram", both, instagram.media_item(a, p, day)) for p in posts)
        elif a.platform == "youtube":
            yield "youtube", ("accounts",), youtube.channel_item(a, day)
            yield from (("youtube", both, youtube.video_item(a, p, day)) for p in posts)
            yield from (("youtube", ("comment_samples",), youtube.thread_item(a, c))
                        for c in comments)
        elif a.platform == "tiktok":
            yield "tiktok", ("accounts",), tiktok.user_item(a, day)
            yield from (("tiktok", both, tiktok.video_item(a, p, day)) for p in posts)
            yield from (("tiktok", ("follower_samples",), tiktok.follower_item(f))
                        for f in followers)
            yield from (("tiktok", ("comment_samples",), tiktok.comment_item(posts[0], c))
                        for c in comments)
        elif a.platform == "x":
            yield "x", ("accounts",), x.user_item(a, day)
            yield from (("x", both, x.tweet_item(a, p, day)) for p in posts)
            yield from (("x", ("follower_samples",), x.follower_item(f, day)) for f in followers)
            yield from (("x", ("comment_samples",), x.reply_item(c)) for c in comments)
        else:
            yield "weibo", ("accounts",), weibo.user_item(a, day)
            yield from (("weibo", both, weibo.status_item(a, p, day)) for p in posts)
            yield from (("weibo", ("follower_samples",), weibo.follower_item(f, day))
                        for f in followers)
            yield from (("weibo", ("comment_samples",), weibo.comment_item(posts[0], c))
                        for c in comments)


def test_the_sandbox_serves_exactly_the_fields_the_landing_reads():
    """Every record the sandbox serves carries the API fields core/fields.py says each landed
    column is read from (API_FIELDS), and nothing else but what it declares unlanded
    (NOT_LANDED): a field added to the landing schema, the sandbox or the table alone fails."""
    from kolpipe.core import fields

    world = World(40)
    served: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for platform, kind, item in _served_items(world, date(2026, 11, 20)):
        served.setdefault((platform, kind), set()).update(_leaves(item))
    # the creators' own APIs are served and tested apart (tests/test_creator_*.py)
    assert {entity for _, kind in served for entity in kind} == {
        e for p in PLATFORMS for e in entities(p) if e not in fields.CREATOR_ENTITIES}
    for (platform, kind), leaves in served.items():
        read = {path for entity in kind for path in fields.API_FIELDS[platform][entity].values()}
        unlanded = {path for entity in kind
                    for path in fields.NOT_LANDED.get(platform, {}).get(entity, ())}
        assert leaves == read | unlanded, (platform, kind, sorted(leaves ^ (read | unlanded)))
