"""The problems planted in the world (recorded by World.labels, the ground truth the pipeline
never reads): account problems from one roll per account, audience and content problems and
traits from streams of their own, and engagement pods formed into rings."""

from __future__ import annotations

import math
import random
from datetime import timedelta

from kolpipe.core.paths import PLATFORMS
from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.account import Account
from kolpipe_tools.sandbox.draws import rng, user_id


def plant_problems(account: Account, source: random.Random) -> None:
    """At most one account problem, from the KOL's stream (c.PROBLEM_ROLL_BOUNDS)."""
    when = c.REFERENCE_DATE + timedelta(days=source.randint(*c.PROBLEM_START_DAYS))
    roll = source.random()
    problem = next((name for name, bound in c.PROBLEM_ROLL_BOUNDS if roll < bound), None)
    if problem == "follower_spike":
        account.problems["follower_spike"] = when
        account.spike_size = source.choice(c.SPIKE_SIZES) * max(
            1, account.followers_at_reference // c.SPIKE_PER_FOLLOWERS)
    elif problem == "fake_audience":
        account.problems["fake_audience"] = account.created_on
        account.engagement_rate /= c.FAKE_AUDIENCE_RATE_DIVISOR
        account.following = int(account.following * c.FAKE_AUDIENCE_FOLLOWING_MULTIPLE)
    elif problem == "renamed_handle":
        account.problems["renamed_handle"] = when
        account.old_handle = account.handle
        account.handle = f"{account.handle}{c.RENAMED_HANDLE_SUFFIX}"
    elif problem is not None:  # bought_likes, dormant, churned, private
        account.problems[problem] = when


def plant_audience_problems(account: Account, seed: int,
                            rates: dict[str, float]) -> None:
    """Follower and comment problems, drawn from a stream of their own so the problems
    planted before them stay where they were."""
    source = rng(seed, "audience", account.key)
    account.fake_follower_share = source.uniform(*c.FAKE_FOLLOWER_SHARE)
    account.generic_comment_share = source.uniform(*c.GENERIC_COMMENT_SHARE)
    if "fake_audience" in account.problems:
        account.fake_follower_share = source.uniform(*c.FAKE_AUDIENCE_FAKE_FOLLOWER_SHARE)
    when = c.REFERENCE_DATE + timedelta(days=source.randint(*c.AUDIENCE_PROBLEM_START_DAYS))
    for problem, rate in rates.items():
        if source.random() < rate:
            # Pods and comment bots work the account's whole life; the others start later.
            account.problems[problem] = account.created_on if problem in (
                "engagement_pod", "generic_comments") else when
    # Traits drawn from a stream of their own, so the draws above stay where they were.
    traits = rng(seed, "audience-traits", account.key)
    account.comment_share_factor = math.exp(traits.gauss(0.0, c.COMMENT_SHARE_SIGMA))
    fans = traits.choice(c.SUPERFAN_CHOICES)
    account.superfans = tuple((user_id(account.platform, 7 * 10**8 + account.index * 8 + n),
                               f"fan{account.index}_{n}") for n in range(fans))
    if "generic_comments" in account.problems:
        account.bought_comment_multiple = traits.uniform(*c.BOUGHT_COMMENT_MULTIPLE)
    if "engagement_pod" in account.problems:
        account.pod_boost = traits.uniform(*c.POD_BOOST)
        account.pod_extra_members = traits.randint(*c.POD_EXTRA_MEMBERS)


def form_pods(accounts: list[Account]) -> None:
    """Accounts marked for a pod join rings of 4 to 7 on their platform; every member comments
    on every post of the others. A lone leftover cannot form a ring and loses the mark."""
    smallest = c.MIN_POD_SIZE
    for platform in PLATFORMS:
        members = [a for a in accounts if a.platform == platform and "engagement_pod" in a.problems]
        rings, start = [], 0
        while len(members) - start >= smallest:
            size = min(len(members) - start, smallest + start % smallest)
            if len(members) - start - size < smallest:
                size = len(members) - start
            rings.append(members[start:start + size])
            start += size
        for leftover in members[start:]:
            del leftover.problems["engagement_pod"]
            leftover.pod_boost, leftover.pod_extra_members = 0.0, 0
        for ring in rings:
            for account in ring:
                account.pod = tuple((o.user_id, o.handle) for o in ring if o is not account)
                account.pod_id = ring[0].index
