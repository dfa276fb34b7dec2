"""An account's audience day by day: organic growth, a dormant account's decline, bought
followers and their purge, the accounts it follows, and the newest followers' profiles."""

from __future__ import annotations

import math
from datetime import date

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.draws import day_number, rng, user_id
from kolpipe_tools.sandbox.profiles import follower_profile


class FollowerDynamics:
    """Part of Account (account.py): the follower side of its state on a date."""

    def followers_on(self, d: date) -> int:
        noise = rng("followers", self.key, day_number(d)).gauss(0.0, 1.0)
        return max(0, round(self.organic_followers_on(d) * (1.0 + c.FOLLOWER_NOISE * noise)
                            + self.bought_followers_on(d)))

    def organic_followers_on(self, d: date) -> float:
        dormant = self.problems.get("dormant")
        if dormant is not None and d > dormant:
            grown = self.followers_at_reference * math.exp(self.daily_growth * day_number(dormant))
            return grown * max(c.DORMANT_FLOOR,
                               1.0 - c.DORMANT_DECAY_PER_DAY * (d - dormant).days)
        return self.followers_at_reference * math.exp(self.daily_growth * day_number(d))

    def bought_followers_on(self, d: date) -> float:
        spike = self.problems.get("follower_spike")
        if spike is None or d < spike:
            return 0.0
        # Platforms purge part of a bought batch over the following weeks.
        return self.spike_size * (c.SPIKE_KEPT_SHARE + c.SPIKE_PURGED_SHARE
                                  * math.exp(-(d - spike).days / c.SPIKE_PURGE_DAYS))

    def following_on(self, d: date) -> int:
        day = day_number(d)
        return self.following + int(day * c.FOLLOWING_PER_DAY) if day > 0 else self.following

    def fake_follower_share_on(self, d: date) -> float:
        """Share of fake profiles among the newest followers (what a first page shows)."""
        spike = self.problems.get("follower_spike")
        if spike is not None and d >= spike:
            return min(c.MAX_FAKE_FOLLOWER_SHARE, self.fake_follower_share
                       + c.SPIKE_FAKE_FOLLOWER_SHARE
                       * math.exp(-(d - spike).days / c.SPIKE_FAKE_FADE_DAYS))
        return self.fake_follower_share

    def follower_sample(self, as_of: date, size: int) -> list[dict]:
        """The newest `size` followers' public profiles on the date, each with an id."""
        source = rng("followers-sample", self.key, day_number(as_of))
        share = self.fake_follower_share_on(as_of)
        sample, taken = [], set()
        for _ in range(min(size, self.followers_on(as_of))):
            fake = source.random() < share
            profile = follower_profile(source, fake)
            while profile["username"] in taken:  # usernames are unique on a platform
                profile["username"] += "." + "".join(
                    source.choices("abcdefghijklmnopqrstuvwxyz", k=2))
            taken.add(profile["username"])
            profile["id"] = user_id(self.platform, 10**6 + source.randrange(10**9))
            profile["is_fake"] = fake  # ground truth; servers never send it
            sample.append(profile)
        return sample
