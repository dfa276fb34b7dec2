"""One KOL's account on one platform: its traits and planted problems (drawn by problems.py),
and its state on any date through its parts: followers.py, posts.py and comments.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kolpipe_tools.sandbox.comments import Commenting
from kolpipe_tools.sandbox.followers import FollowerDynamics
from kolpipe_tools.sandbox.posts import Posting


@dataclass
class Account(FollowerDynamics, Posting, Commenting):
    kol_id: str
    platform: str
    index: int
    user_id: str
    handle: str
    display_name: str
    bio: str
    language: str
    niche: str
    created_on: date
    followers_at_reference: int
    daily_growth: float
    posts_per_day: float
    engagement_rate: float
    following: int
    hidden_likes: bool = False
    hidden_subscribers: bool = False
    problems: dict[str, date] = field(default_factory=dict)
    spike_size: int = 0
    old_handle: str | None = None
    # Audience and comment traits: genuine accounts have small non-zero shares too.
    fake_follower_share: float = 0.05
    generic_comment_share: float = 0.15
    pod: tuple[tuple[str, str], ...] = ()  # (user_id, handle) of the other accounts in its ring
    pod_id: int = 0  # the ring's id: its members share the pod's unregistered members too
    # A pod adds this multiple of the account's expected organic engagement to every post, from
    # a fixed set of at least len(pod) + pod_extra_members commenters.
    pod_boost: float = 0.0
    pod_extra_members: int = 0
    # Comments bought from a farm, as a multiple of the organic comments (generic_comments).
    bought_comment_multiple: float = 0.0
    # Natural differences: how chatty the audience is, and a few loyal fans who comment often.
    comment_share_factor: float = 1.0
    superfans: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"

    def exists_on(self, d: date) -> bool:
        deleted = self.problems.get("churned")
        return d >= self.created_on and (deleted is None or d < deleted)

    def is_private_on(self, d: date) -> bool:
        since = self.problems.get("private")
        return since is not None and d >= since

    def handle_on(self, d: date) -> str:
        renamed = self.problems.get("renamed_handle")
        if renamed is not None and d < renamed and self.old_handle:
            return self.old_handle
        return self.handle
