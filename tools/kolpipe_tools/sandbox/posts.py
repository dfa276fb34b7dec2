"""An account's posts: what it publishes each day (with planted deletions, unsafe captions,
bought likes and pod engagement) and each post's metrics as engagement matures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.draws import day_number, poisson, post_id, rng
from kolpipe_tools.sandbox.vocabulary import LANGUAGES, UNSAFE_PHRASES


@dataclass(frozen=True)
class Post:
    post_id: str
    published_at: datetime
    caption: str
    media_type: str
    is_sponsored: bool
    deleted_on: date | None
    final_engagements: float
    final_views: float
    likes_bought: bool
    # How this post's comments deviate from the account's usual comment share (natural noise).
    comment_factor: float = 1.0
    # What the account's engagement pod adds to the post: every member likes and comments,
    # within the first hour, whatever the post's organic reach.
    pod_likes: int = 0
    pod_comments: int = 0


@dataclass(frozen=True)
class PostMetrics:
    likes: int
    comments: int
    shares: int
    saves: int
    views: int


class Posting:
    """Part of Account (account.py): its posts and their metrics."""

    def posts_published_on(self, d: date) -> list[Post]:
        if not self.exists_on(d):
            return []
        dormant = self.problems.get("dormant")
        if dormant is not None and d >= dormant:
            return []
        source = rng("posts", self.key, day_number(d))
        count = poisson(source, self.posts_per_day)
        tags = LANGUAGES[self.language][1]
        bought_likes_from = self.problems.get("bought_likes")
        first_second, last_second = (hour * 3600 for hour in c.POSTING_HOURS)
        posts = []
        for i in range(count):
            seconds = source.randrange(first_second, last_second)
            published = datetime.combine(d, time(0), tzinfo=UTC) + timedelta(seconds=seconds)
            sponsored = source.random() < c.SPONSORED_SHARE
            kind = source.choice(c.CAPTION_KINDS)
            caption = f"{self.niche} {kind} #{self.niche}"
            if sponsored:
                caption += " " + source.choice(tags)
            organic = self.organic_followers_on(d)
            rate = self.engagement_rate * math.exp(source.gauss(0.0, c.POST_RATE_SIGMA))
            if source.random() < c.VIRAL_SHARE:
                rate *= c.VIRAL_MULTIPLE  # a viral post
            deleted_on = (d + timedelta(days=source.randint(*c.DELETED_AFTER_DAYS))
                          if source.random() < c.DELETED_SHARE else None)
            pid = post_id(self.platform, self.key, day_number(d), i)
            if "deleted_posts" in self.problems or "brand_unsafe" in self.problems:
                # A stream of its own, so the other accounts' posts stay as they were.
                extra = rng("post-problems", pid)
                if (d >= self.problems.get("deleted_posts", date.max)
                        and extra.random() < c.DELETED_POSTS_SHARE):
                    deleted_on = d + timedelta(days=extra.randint(*c.DELETED_POSTS_AFTER_DAYS))
                if (d >= self.problems.get("brand_unsafe", date.max)
                        and extra.random() < c.UNSAFE_CAPTION_SHARE):
                    caption += " " + extra.choice(UNSAFE_PHRASES)
            shape = rng("post-shape", pid)  # a stream of its own: the draws above stay
            pod_likes = pod_comments = 0
            if self.pod_boost:
                split = c.ENGAGEMENT_SPLIT[self.platform]
                expected = (organic * self.engagement_rate * self.pod_boost
                            * c.POD_ENGAGEMENT_FACTOR)
                pod_likes = round(expected * split[0] * (1.0 + shape.gauss(0.0, c.POD_LIKE_SIGMA)))
                pod_comments = max(len(self.pod) + self.pod_extra_members,
                                   round(expected * split[1] * self.comment_share_factor))
            posts.append(Post(
                post_id=pid,
                published_at=published,
                caption=caption,
                media_type=source.choice(c.MEDIA_TYPES[self.platform]),
                is_sponsored=sponsored,
                deleted_on=deleted_on,
                final_engagements=organic * rate,
                final_views=organic * rate * source.uniform(*c.VIEWS_PER_ENGAGEMENT),
                likes_bought=bought_likes_from is not None and d >= bought_likes_from,
                comment_factor=math.exp(shape.gauss(0.0, c.COMMENT_FACTOR_SIGMA)),
                pod_likes=pod_likes,
                pod_comments=pod_comments,
            ))
        return posts

    def recent_posts(self, as_of: date, days: int) -> list[Post]:
        """Posts published in the `days` days up to `as_of`, newest first, minus deleted ones."""
        posts = []
        for back in range(days):
            d = as_of - timedelta(days=back)
            for post in self.posts_published_on(d):
                if post.deleted_on is None or post.deleted_on > as_of:
                    posts.append(post)
        posts.sort(key=lambda p: p.published_at, reverse=True)
        return posts

    def metrics_on(self, post: Post, as_of: date) -> PostMetrics:
        snapshot = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=UTC)
        age_days = max(0.0, (snapshot - post.published_at).total_seconds() / 86400)
        matured = 1.0 - math.exp(-age_days / c.MATURITY_DAYS)
        engagements = post.final_engagements * matured
        split = c.ENGAGEMENT_SPLIT[self.platform]
        likes = engagements * split[0]
        if post.likes_bought:
            likes *= c.BOUGHT_LIKES_MULTIPLE
        pod_matured = 1.0 - math.exp(-age_days / c.POD_MATURITY_DAYS)  # in the first hour
        return PostMetrics(
            likes=round(likes + post.pod_likes * pod_matured),
            comments=round(engagements * split[1] * self._comment_multiple(post)
                           + post.pod_comments * pod_matured),
            shares=round(engagements * split[2]),
            saves=round(engagements * split[3]),
            views=round(post.final_views * matured),
        )
