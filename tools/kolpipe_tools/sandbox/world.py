"""A deterministic simulated KOL world.

Every value is a pure function of (seed, account, date), so asking for any date in any
order returns the same state: backfills over the sandbox produce real history. The state
"on date D" is the state at the end of D (00:00 UTC of D+1), when the daily run extracts it.

Planted problems are recorded in `labels()`, the ground truth that the pipeline never reads.
The world's numbers are in constants.py, its words in vocabulary.py; an account's state is in
account.py and its parts (followers.py, posts.py, comments.py), its problems in problems.py.
"""

from __future__ import annotations

import math
from datetime import timedelta
from functools import cached_property

from kolpipe.core.paths import PLATFORMS
from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.account import Account
from kolpipe_tools.sandbox.comments import Comment
from kolpipe_tools.sandbox.constants import (  # noqa: F401 (the world's names, as before)
    AUDIENCE_PROBLEM_RATES,
    ENGAGEMENT_SPLIT,
    MEDIA_TYPES,
    NICHES,
    REFERENCE_DATE,
)
from kolpipe_tools.sandbox.draws import day_number as _day  # noqa: F401
from kolpipe_tools.sandbox.draws import rng, round_significant, user_id
from kolpipe_tools.sandbox.posts import Post, PostMetrics
from kolpipe_tools.sandbox.problems import form_pods, plant_audience_problems, plant_problems
from kolpipe_tools.sandbox.vocabulary import (  # noqa: F401
    BOT_COMMENTS,
    GENERIC_COMMENTS,
    GENERIC_WORDS,
    LANGUAGES,
    POD_COMMENTS,
    UNSAFE_PHRASES,
)

__all__ = ["Account", "Comment", "Post", "PostMetrics", "World", "round_significant"]


class World:
    """The sandbox's KOLs and accounts for one seed and size."""

    def __init__(self, kols: int = c.DEFAULT_KOLS, seed: int = c.DEFAULT_SEED,
                 audience_problem_rates: dict[str, float] | None = None):
        """`audience_problem_rates` overrides AUDIENCE_PROBLEM_RATES (tests plant more pods in a
        small world); the other accounts and problems stay as they are."""
        self.size = kols
        self.seed = seed
        self.audience_problem_rates = {**AUDIENCE_PROBLEM_RATES, **(audience_problem_rates or {})}

    @cached_property
    def accounts(self) -> list[Account]:
        accounts = []
        for k in range(self.size):
            accounts.extend(self._kol_accounts(k))
        form_pods(accounts)
        return accounts

    @cached_property
    def by_key(self) -> dict[str, Account]:
        return {a.key: a for a in self.accounts}

    def account(self, platform: str, user_id: str) -> Account | None:
        return self.by_key.get(f"{platform}:{user_id}")

    def account_by_handle(self, platform: str, handle: str, as_of) -> Account | None:
        for a in self.accounts:
            if a.platform == platform and a.handle_on(as_of).lower() == handle.lower():
                return a
        return None

    def kols(self) -> list[dict]:
        """The registry as a person would write it: one entry per KOL, accounts per platform."""
        entries: dict[str, dict] = {}
        for a in self.accounts:
            entry = entries.setdefault(a.kol_id, {
                "kol_id": a.kol_id, "display_name": a.display_name.split(" ·")[0],
                "niche": a.niche, "language": a.language, "accounts": {},
            })
            handle = a.old_handle if a.old_handle else a.handle
            entry["accounts"][a.platform] = {"account_id": a.user_id, "handle": handle}
        return list(entries.values())

    def labels(self) -> list[dict]:
        """Ground truth of the planted problems; the pipeline never reads this."""
        return [
            {"platform": a.platform, "account_id": a.user_id, "kol_id": a.kol_id,
             "problem": problem, "since": since.isoformat()}
            for a in self.accounts for problem, since in sorted(a.problems.items())
        ]

    def _kol_accounts(self, k: int) -> list[Account]:
        source = rng(self.seed, "kol", k)
        kol_id = f"kol_{k + 1:05d}"
        language = source.choice(list(LANGUAGES))
        syllables = LANGUAGES[language][0]
        name = "".join(source.choice(syllables) for _ in range(source.randint(2, 3)))
        niche = source.choice(NICHES)
        # Audience sizes follow a pyramid: many nano and micro KOLs, few mega.
        scale = (10 ** source.uniform(*c.MEGA_TIER_LOG10_FOLLOWERS)
                 if source.random() < c.MEGA_TIER_SHARE
                 else 10 ** source.uniform(*c.OTHER_TIERS_LOG10_FOLLOWERS))
        platforms = [p for p in PLATFORMS if source.random() < c.PLATFORM_PRESENCE[p]]
        if not platforms:
            platforms = [source.choice(PLATFORMS)]
        base_handle = f"{niche}_{source.choice(GENERIC_WORDS)}{k + 1}"
        accounts = []
        for platform in platforms:
            index = k * 8 + PLATFORMS.index(platform)
            audience = (scale * c.PLATFORM_AUDIENCE[platform]
                        * math.exp(source.gauss(0, c.PLATFORM_AUDIENCE_SIGMA)))
            followers = max(c.MIN_FOLLOWERS, int(audience))
            rate = c.PLATFORM_BASE_RATE[platform] * (
                followers / c.RATE_REFERENCE_FOLLOWERS) ** c.RATE_SIZE_EXPONENT
            low_growth, high_growth = c.DAILY_GROWTH_RANGE
            account = Account(
                kol_id=kol_id, platform=platform, index=index,
                user_id=user_id(platform, index),
                handle=base_handle if platform != "weibo" else f"{name}{k + 1}",
                display_name=f"{name.title()} · {niche}",
                bio=f"{niche} | {language}",
                language=language, niche=niche,
                created_on=c.REFERENCE_DATE - timedelta(
                    days=source.randint(*c.CREATED_DAYS_BEFORE_REFERENCE)),
                followers_at_reference=followers,
                daily_growth=min(high_growth, max(low_growth, source.gauss(
                    c.DAILY_GROWTH_MEAN, c.DAILY_GROWTH_SIGMA))),
                posts_per_day=source.choice(c.POSTS_PER_DAY_CHOICES),
                engagement_rate=rate * math.exp(source.gauss(0, c.ACCOUNT_RATE_SIGMA)),
                following=int(source.uniform(*c.FOLLOWING_RANGE)),
                hidden_likes=platform == "instagram" and source.random() < c.HIDDEN_LIKES_SHARE,
                hidden_subscribers=(platform == "youtube"
                                    and source.random() < c.HIDDEN_SUBSCRIBERS_SHARE),
            )
            plant_problems(account, source)
            plant_audience_problems(account, self.seed, self.audience_problem_rates)
            accounts.append(account)
        return accounts
