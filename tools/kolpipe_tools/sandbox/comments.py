"""A post's comments: genuine fans' long comments and generic ones, superfans, the account's
pod members and comment-farm bots, each comment the same on every date it exists."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.draws import post_id, rng, user_id
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.vocabulary import (
    ASIDES,
    BOT_COMMENTS,
    CLOSERS,
    GENERIC_COMMENTS,
    OPENERS,
    POD_COMMENTS,
    SUBJECTS,
)


@dataclass(frozen=True)
class Comment:
    comment_id: str
    post_id: str
    author_id: str
    author: str
    text: str
    created_at: datetime
    like_count: int


class Commenting:
    """Part of Account (account.py): the comments on its posts."""

    def comments_on(self, post: Post, as_of: date, limit: int) -> list[Comment]:
        """The newest `limit` comments of the post on the date. Comment k is the same on every
        date it exists, so daily samples overlap as real ones do."""
        visible = self.metrics_on(post, as_of).comments
        final = max(visible, self._final_comments(post))
        newest_first = range(visible - 1, max(-1, visible - 1 - limit), -1)
        return [self._comment(post, k, final) for k in newest_first]

    def _final_comments(self, post: Post) -> int:
        organic = post.final_engagements * c.ENGAGEMENT_SPLIT[self.platform][1]
        return round(organic * self._comment_multiple(post)) + post.pod_comments

    def _comment_multiple(self, post: Post) -> float:
        bought = 1.0 + self.bought_comment_multiple
        return self.comment_share_factor * post.comment_factor * bought

    def _pod_member(self, post: Post, k: int, final: int) -> int | None:
        """Which pod member wrote comment k, if any. The pod's comments are spread evenly over
        the post's comments (pod apps drip them in), member j at position j * final // size."""
        size = post.pod_comments
        if not size:
            return None
        member = -(-k * size // final)
        return member if member < size and member * final // size == k else None

    def _comment(self, post: Post, k: int, final: int) -> Comment:
        source = rng("comment", post.post_id, k)
        # Comments arrive as engagement matures: comment k at the age its count reached k.
        age_days = -c.MATURITY_DAYS * math.log(max(1e-9, 1.0 - (k + 0.5) / (final + 1)))
        created = post.published_at + timedelta(days=age_days)
        comment_id = post_id(self.platform, post.post_id, k, 1)
        member = self._pod_member(post, k, final)
        bought_share = self.bought_comment_multiple / (1.0 + self.bought_comment_multiple)
        if member is not None:
            if member < len(self.pod):
                author_id, author = self.pod[member]
            else:  # the pod's members that are not in the registry
                author_id = user_id(self.platform, 8 * 10**8 + self.pod_id * 1000 + member)
                author = f"pod{self.pod_id}_{member}"
            text = source.choice(POD_COMMENTS)
        elif source.random() < bought_share:
            # A comment farm: a few dozen bot accounts posting the same lines on every post.
            bot = source.randrange(c.COMMENT_FARM_BOTS)
            author_id = user_id(self.platform, 9 * 10**8 + self.index * 32 + bot)
            author = f"{('promo', 'fan', 'page')[bot % 3]}_{self.index}_{bot}"
            lines = GENERIC_COMMENTS[self.index % 5::5] + BOT_COMMENTS[self.index % 5:][:2]
            text = lines[(bot + source.randrange(2)) % len(lines)]
        elif self.superfans and source.random() < min(
                0.3, 0.5 * len(self.superfans) / (final + 1)):
            author_id, author = source.choice(self.superfans)
            text = self._long_comment(source)
        elif source.random() < self.generic_comment_share:
            author_id, author = self._commenter(source)
            text = source.choice(GENERIC_COMMENTS)
        else:
            author_id, author = self._commenter(source)
            text = self._long_comment(source)
        return Comment(comment_id, post.post_id, author_id, author, text, created,
                       like_count=int(source.expovariate(0.5)))

    def _long_comment(self, source: random.Random) -> str:
        subject = source.choice(SUBJECTS).format(niche=self.niche)
        return f"{source.choice(OPENERS)} {subject}{source.choice(ASIDES)}{source.choice(CLOSERS)}"

    def _commenter(self, source: random.Random) -> tuple[str, str]:
        n = source.randrange(10**9)
        return user_id(self.platform, 10**6 + n), f"user{n}"
