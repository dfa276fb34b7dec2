"""A deterministic simulated KOL world.

Every value is a pure function of (seed, account, date), so asking for any date in any
order returns the same state: backfills over the sandbox produce real history. The state
"on date D" is the state at the end of D (00:00 UTC of D+1), when the daily run extracts it.

Planted problems are recorded in `labels()`, the ground truth that the pipeline never reads.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from kolpipe.core.paths import PLATFORMS
from kolpipe_tools.sandbox.profiles import follower_profile

REFERENCE_DATE = date(2026, 1, 1)
NICHES = (
    "beauty", "fitness", "tech", "gaming", "food", "travel",
    "finance", "parenting", "pets", "health", "education",
)
# Share of KOLs present on each platform, and how a KOL's audience scales there.
PLATFORM_PRESENCE = {"instagram": 0.8, "youtube": 0.5, "tiktok": 0.55, "x": 0.45, "weibo": 0.25}
PLATFORM_AUDIENCE = {"instagram": 1.0, "youtube": 0.6, "tiktok": 1.4, "x": 0.5, "weibo": 0.8}
# Median engagement rate by followers of a 10k account; rates fall with audience size.
PLATFORM_BASE_RATE = {"instagram": 0.035, "youtube": 0.045, "tiktok": 0.06, "x": 0.012,
                      "weibo": 0.02}

LANGUAGES = {
    "en": (["ma", "ri", "jo", "an", "el", "li", "sa", "ke", "ton", "ber"], ["#ad", "#sponsored"]),
    "zh": (["小", "美", "明", "华", "丽", "龙", "晨", "雪", "云", "杰"], ["广告", "合作"]),
    "bn": (["রা", "হু", "ল", "আ", "মি", "তা", "সু", "দী", "প", "না"], ["#বিজ্ঞাপন", "#sponsored"]),
    "lv": (["ā", "ja", "nis", "lī", "ga", "rū", "ta", "kš", "ie", "vis"],
           ["#reklāma", "#sadarbība"]),
    "es": (["lu", "ci", "a", "mar", "co", "so", "fi", "pe", "dro", "na"], ["#publi", "#ad"]),
    "de": (["han", "na", "kla", "us", "gre", "ta", "jo", "nas", "lie", "se"],
           ["#kooperation", "#werbung"]),
}
GENERIC_WORDS = ("daily", "notes", "lab", "life", "world", "talks", "studio", "club")

# Comments that say nothing about the post: what pods, bots and bought engagement leave behind,
# and what some genuine fans write too.
GENERIC_COMMENTS = ("nice pic", "love it", "amazing", "so cool", "wow", "great post", "🔥🔥🔥",
                    "😍😍", "👏👏👏", "❤️", "💯", "nice", "awesome!!", "beautiful", "🙌")
POD_COMMENTS = ("Amazing content as always 🙌", "Love this so much!! 💕", "Yes!! Obsessed 😍",
                "This is everything 🔥", "Saving this one ✨")
# What comment farms post besides the generic lines: the same few lines on every post.
BOT_COMMENTS = ("Great content! Check my page 🔥", "DM us for a collab 💌", "Follow for follow 💯",
                "Nice! Visit my profile 😍", "Wow amazing 👏👏")
_OPENERS = ("Where did you get", "How long did you spend on", "Could you share more about",
            "I tried", "Never thought about", "My sister loves", "Honest question about",
            "Thanks for explaining", "Still waiting for part two of", "Disagree a bit on")
_SUBJECTS = ("the {niche} setup", "this {niche} routine", "the second tip", "the ending",
             "the lighting", "your {niche} budget", "the product you showed", "the last part",
             "that {niche} trick", "the list at the end")
_CLOSERS = ("?", "!", " - saved.", ", really useful.", " 🤔", ", going to try it this week.",
            " :)", ". Subscribed.")
_ASIDES = ("", "", " after watching twice", " from yesterday", " you mentioned", " in this one",
           " at 2:10", " with my kids", " on a budget", " for beginners", " again",
           " in winter")
# Captions no brand wants next to its name.
UNSAFE_PHRASES = ("bet it all at the casino tonight 🎰", "wasted again lol 🍻🍻",
                  "this guy deserves a punch", "free pills link in bio",
                  "fight me if you disagree, losers")


# Chance that an account is planted with each audience and content problem.
AUDIENCE_PROBLEM_RATES = {"engagement_pod": 0.05, "generic_comments": 0.04, "deleted_posts": 0.03,
                          "brand_unsafe": 0.03}


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _day(d: date) -> int:
    return (d - REFERENCE_DATE).days


def round_significant(value: int, digits: int = 3) -> int:
    """YouTube's public subscriber counts keep three significant figures."""
    if value < 10**digits:
        return value
    step = 10 ** (len(str(value)) - digits)
    return (value // step) * step


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
class Comment:
    comment_id: str
    post_id: str
    author_id: str
    author: str
    text: str
    created_at: datetime
    like_count: int


@dataclass(frozen=True)
class PostMetrics:
    likes: int
    comments: int
    shares: int
    saves: int
    views: int


@dataclass
class Account:
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

    def followers_on(self, d: date) -> int:
        noise = _rng("followers", self.key, _day(d)).gauss(0.0, 1.0)
        return max(0, round(self.organic_followers_on(d) * (1.0 + 0.0015 * noise)
                            + self.bought_followers_on(d)))

    def organic_followers_on(self, d: date) -> float:
        dormant = self.problems.get("dormant")
        if dormant is not None and d > dormant:
            grown = self.followers_at_reference * math.exp(self.daily_growth * _day(dormant))
            return grown * max(0.5, 1.0 - 0.0004 * (d - dormant).days)
        return self.followers_at_reference * math.exp(self.daily_growth * _day(d))

    def bought_followers_on(self, d: date) -> float:
        spike = self.problems.get("follower_spike")
        if spike is None or d < spike:
            return 0.0
        # Platforms purge part of a bought batch over the following weeks.
        return self.spike_size * (0.6 + 0.4 * math.exp(-(d - spike).days / 15))

    def following_on(self, d: date) -> int:
        return self.following + int(_day(d) * 0.3) if _day(d) > 0 else self.following

    def posts_published_on(self, d: date) -> list[Post]:
        if not self.exists_on(d):
            return []
        dormant = self.problems.get("dormant")
        if dormant is not None and d >= dormant:
            return []
        rng = _rng("posts", self.key, _day(d))
        count = _poisson(rng, self.posts_per_day)
        tags = LANGUAGES[self.language][1]
        bought_likes_from = self.problems.get("bought_likes")
        posts = []
        for i in range(count):
            seconds = rng.randrange(6 * 3600, 23 * 3600)
            published = datetime.combine(d, time(0), tzinfo=UTC) + timedelta(seconds=seconds)
            sponsored = rng.random() < 0.12
            kind = rng.choice(("tips", "review", "day", "q&a", "story"))
            caption = f"{self.niche} {kind} #{self.niche}"
            if sponsored:
                caption += " " + rng.choice(tags)
            organic = self.organic_followers_on(d)
            rate = self.engagement_rate * math.exp(rng.gauss(0.0, 0.35))
            if rng.random() < 0.02:
                rate *= 8  # a viral post
            deleted_on = d + timedelta(days=rng.randint(1, 20)) if rng.random() < 0.01 else None
            post_id = _post_id(self.platform, self.key, _day(d), i)
            if "deleted_posts" in self.problems or "brand_unsafe" in self.problems:
                # A stream of its own, so the other accounts' posts stay as they were.
                extra = _rng("post-problems", post_id)
                if d >= self.problems.get("deleted_posts", date.max) and extra.random() < 0.35:
                    deleted_on = d + timedelta(days=extra.randint(2, 6))
                if d >= self.problems.get("brand_unsafe", date.max) and extra.random() < 0.3:
                    caption += " " + extra.choice(UNSAFE_PHRASES)
            shape = _rng("post-shape", post_id)  # a stream of its own: the draws above stay
            pod_likes = pod_comments = 0
            if self.pod_boost:
                split = ENGAGEMENT_SPLIT[self.platform]
                expected = organic * self.engagement_rate * self.pod_boost * 1.06
                pod_likes = round(expected * split[0] * (1.0 + shape.gauss(0.0, 0.04)))
                pod_comments = max(len(self.pod) + self.pod_extra_members,
                                   round(expected * split[1] * self.comment_share_factor))
            posts.append(Post(
                post_id=post_id,
                published_at=published,
                caption=caption,
                media_type=rng.choice(MEDIA_TYPES[self.platform]),
                is_sponsored=sponsored,
                deleted_on=deleted_on,
                final_engagements=organic * rate,
                final_views=organic * rate * rng.uniform(8, 20),
                likes_bought=bought_likes_from is not None and d >= bought_likes_from,
                comment_factor=math.exp(shape.gauss(0.0, 0.12)),
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

    def fake_follower_share_on(self, d: date) -> float:
        """Share of fake profiles among the newest followers (what a first page shows)."""
        spike = self.problems.get("follower_spike")
        if spike is not None and d >= spike:
            return min(0.95, self.fake_follower_share + 0.7 * math.exp(-(d - spike).days / 20))
        return self.fake_follower_share

    def follower_sample(self, as_of: date, size: int) -> list[dict]:
        """The newest `size` followers' public profiles on the date, each with an id."""
        rng = _rng("followers-sample", self.key, _day(as_of))
        share = self.fake_follower_share_on(as_of)
        sample, taken = [], set()
        for _ in range(min(size, self.followers_on(as_of))):
            fake = rng.random() < share
            profile = follower_profile(rng, fake)
            while profile["username"] in taken:  # usernames are unique on a platform
                profile["username"] += "." + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=2))
            taken.add(profile["username"])
            profile["id"] = _user_id(self.platform, 10**6 + rng.randrange(10**9))
            profile["is_fake"] = fake  # ground truth; servers never send it
            sample.append(profile)
        return sample

    def comments_on(self, post: Post, as_of: date, limit: int) -> list[Comment]:
        """The newest `limit` comments of the post on the date. Comment k is the same on every
        date it exists, so daily samples overlap as real ones do."""
        visible = self.metrics_on(post, as_of).comments
        final = max(visible, self._final_comments(post))
        newest_first = range(visible - 1, max(-1, visible - 1 - limit), -1)
        return [self._comment(post, k, final) for k in newest_first]

    def _final_comments(self, post: Post) -> int:
        organic = post.final_engagements * ENGAGEMENT_SPLIT[self.platform][1]
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
        rng = _rng("comment", post.post_id, k)
        # Comments arrive as engagement matures: comment k at the age its count reached k.
        age_days = -1.2 * math.log(max(1e-9, 1.0 - (k + 0.5) / (final + 1)))
        created = post.published_at + timedelta(days=age_days)
        comment_id = _post_id(self.platform, post.post_id, k, 1)
        member = self._pod_member(post, k, final)
        bought_share = self.bought_comment_multiple / (1.0 + self.bought_comment_multiple)
        if member is not None:
            if member < len(self.pod):
                author_id, author = self.pod[member]
            else:  # the pod's members that are not in the registry
                author_id = _user_id(self.platform, 8 * 10**8 + self.pod_id * 1000 + member)
                author = f"pod{self.pod_id}_{member}"
            text = rng.choice(POD_COMMENTS)
        elif rng.random() < bought_share:
            # A comment farm: a few dozen bot accounts posting the same lines on every post.
            bot = rng.randrange(30)
            author_id = _user_id(self.platform, 9 * 10**8 + self.index * 32 + bot)
            author = f"{('promo', 'fan', 'page')[bot % 3]}_{self.index}_{bot}"
            lines = GENERIC_COMMENTS[self.index % 5::5] + BOT_COMMENTS[self.index % 5:][:2]
            text = lines[(bot + rng.randrange(2)) % len(lines)]
        elif self.superfans and rng.random() < min(0.3, 0.5 * len(self.superfans) / (final + 1)):
            author_id, author = rng.choice(self.superfans)
            text = self._long_comment(rng)
        elif rng.random() < self.generic_comment_share:
            author_id, author = self._commenter(rng)
            text = rng.choice(GENERIC_COMMENTS)
        else:
            author_id, author = self._commenter(rng)
            text = self._long_comment(rng)
        return Comment(comment_id, post.post_id, author_id, author, text, created,
                       like_count=int(rng.expovariate(0.5)))

    def _long_comment(self, rng: random.Random) -> str:
        subject = rng.choice(_SUBJECTS).format(niche=self.niche)
        return f"{rng.choice(_OPENERS)} {subject}{rng.choice(_ASIDES)}{rng.choice(_CLOSERS)}"

    def _commenter(self, rng: random.Random) -> tuple[str, str]:
        n = rng.randrange(10**9)
        return _user_id(self.platform, 10**6 + n), f"user{n}"

    def metrics_on(self, post: Post, as_of: date) -> PostMetrics:
        snapshot = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=UTC)
        age_days = max(0.0, (snapshot - post.published_at).total_seconds() / 86400)
        matured = 1.0 - math.exp(-age_days / 1.2)
        engagements = post.final_engagements * matured
        split = ENGAGEMENT_SPLIT[self.platform]
        likes = engagements * split[0]
        if post.likes_bought:
            likes *= 6
        pod_matured = 1.0 - math.exp(-age_days / 0.05)  # a pod engages in the first hour
        return PostMetrics(
            likes=round(likes + post.pod_likes * pod_matured),
            comments=round(engagements * split[1] * self._comment_multiple(post)
                           + post.pod_comments * pod_matured),
            shares=round(engagements * split[2]),
            saves=round(engagements * split[3]),
            views=round(post.final_views * matured),
        )


MEDIA_TYPES = {
    "instagram": ("IMAGE", "VIDEO", "CAROUSEL_ALBUM"),
    "youtube": ("video",),
    "tiktok": ("video",),
    "x": ("text", "photo", "video"),
    "weibo": ("text", "photo", "video"),
}
# Shares of one post's engagements: likes, comments, shares (reposts), saves (quotes).
ENGAGEMENT_SPLIT = {
    "instagram": (0.9, 0.1, 0.0, 0.0),
    "youtube": (0.92, 0.08, 0.0, 0.0),
    "tiktok": (0.8, 0.08, 0.12, 0.0),
    "x": (0.7, 0.1, 0.15, 0.05),
    "weibo": (0.75, 0.12, 0.13, 0.0),
}


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _post_id(platform: str, key: str, day: int, i: int) -> str:
    digits = int.from_bytes(hashlib.blake2b(f"{key}|{day}|{i}".encode(), digest_size=7).digest())
    if platform == "youtube":
        return hashlib.blake2b(f"{key}|{day}|{i}".encode(), digest_size=8).hexdigest()[:11]
    return str(10**17 + digits % 9 * 10**16 + digits % 10**16)


def _user_id(platform: str, index: int) -> str:
    if platform == "instagram":
        return str(17841400000000000 + index * 7919)
    if platform == "youtube":
        return "UC" + hashlib.blake2b(f"yt{index}".encode(), digest_size=11).hexdigest()[:22]
    if platform == "tiktok":
        return str(6800000000000000000 + index * 104729)
    if platform == "x":
        return str(1400000000 + index * 7727)
    return str(5000000000 + index * 131)


class World:
    """The sandbox's KOLs and accounts for one seed and size."""

    def __init__(self, kols: int = 200, seed: int = 7,
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
        _form_pods(accounts)
        return accounts

    @cached_property
    def by_key(self) -> dict[str, Account]:
        return {a.key: a for a in self.accounts}

    def account(self, platform: str, user_id: str) -> Account | None:
        return self.by_key.get(f"{platform}:{user_id}")

    def account_by_handle(self, platform: str, handle: str, as_of: date) -> Account | None:
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
        rng = _rng(self.seed, "kol", k)
        kol_id = f"kol_{k + 1:05d}"
        language = rng.choice(list(LANGUAGES))
        syllables = LANGUAGES[language][0]
        name = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
        niche = rng.choice(NICHES)
        # Audience sizes follow a pyramid: many nano and micro KOLs, few mega.
        scale = 10 ** rng.uniform(2.7, 6.6) if rng.random() < 0.2 else 10 ** rng.uniform(2.7, 5.0)
        platforms = [p for p in PLATFORMS if rng.random() < PLATFORM_PRESENCE[p]]
        if not platforms:
            platforms = [rng.choice(PLATFORMS)]
        base_handle = f"{niche}_{rng.choice(GENERIC_WORDS)}{k + 1}"
        accounts = []
        for platform in platforms:
            index = k * 8 + PLATFORMS.index(platform)
            audience = scale * PLATFORM_AUDIENCE[platform] * math.exp(rng.gauss(0, 0.5))
            followers = max(50, int(audience))
            rate = PLATFORM_BASE_RATE[platform] * (followers / 10_000) ** -0.15
            account = Account(
                kol_id=kol_id, platform=platform, index=index,
                user_id=_user_id(platform, index),
                handle=base_handle if platform != "weibo" else f"{name}{k + 1}",
                display_name=f"{name.title()} · {niche}",
                bio=f"{niche} | {language}",
                language=language, niche=niche,
                created_on=REFERENCE_DATE - timedelta(days=rng.randint(-300, 1500)),
                followers_at_reference=followers,
                daily_growth=min(0.006, max(-0.002, rng.gauss(0.0012, 0.0012))),
                posts_per_day=rng.choice((0.15, 0.3, 0.5, 0.8, 1.2)),
                engagement_rate=rate * math.exp(rng.gauss(0, 0.3)),
                following=int(rng.uniform(50, 1500)),
                hidden_likes=platform == "instagram" and rng.random() < 0.05,
                hidden_subscribers=platform == "youtube" and rng.random() < 0.05,
            )
            self._plant_problems(account, rng)
            self._plant_audience_problems(account)
            accounts.append(account)
        return accounts

    def _plant_problems(self, account: Account, rng: random.Random) -> None:
        when = REFERENCE_DATE + timedelta(days=rng.randint(-60, 330))
        roll = rng.random()
        if roll < 0.05:
            account.problems["follower_spike"] = when
            account.spike_size = rng.choice((1000, 2000, 5000, 10000)) * max(
                1, account.followers_at_reference // 20000)
        elif roll < 0.09:
            account.problems["fake_audience"] = account.created_on
            account.engagement_rate /= 8
            account.following = int(account.following * 3)
        elif roll < 0.12:
            account.problems["bought_likes"] = when
        elif roll < 0.16:
            account.problems["dormant"] = when
        elif roll < 0.18:
            account.problems["churned"] = when
        elif roll < 0.20:
            account.problems["private"] = when
        elif roll < 0.23:
            account.problems["renamed_handle"] = when
            account.old_handle = account.handle
            account.handle = f"{account.handle}_official"

    def _plant_audience_problems(self, account: Account) -> None:
        """Follower and comment problems, drawn from a stream of their own so the problems
        planted before them stay where they were."""
        rng = _rng(self.seed, "audience", account.key)
        account.fake_follower_share = rng.uniform(0.02, 0.10)
        account.generic_comment_share = rng.uniform(0.08, 0.22)
        if "fake_audience" in account.problems:
            account.fake_follower_share = rng.uniform(0.45, 0.75)
        when = REFERENCE_DATE + timedelta(days=rng.randint(-120, 200))
        for problem, rate in self.audience_problem_rates.items():
            if rng.random() < rate:
                # Pods and comment bots work the account's whole life; the others start later.
                account.problems[problem] = account.created_on if problem in (
                    "engagement_pod", "generic_comments") else when
        # Traits drawn from a stream of their own, so the draws above stay where they were.
        traits = _rng(self.seed, "audience-traits", account.key)
        account.comment_share_factor = math.exp(traits.gauss(0.0, 0.15))
        fans = traits.choice((0, 0, 1, 1, 2, 3))
        account.superfans = tuple((_user_id(account.platform, 7 * 10**8 + account.index * 8 + n),
                                   f"fan{account.index}_{n}") for n in range(fans))
        if "generic_comments" in account.problems:
            # Bought comments: 60-80% of all comments come from the farm.
            account.bought_comment_multiple = traits.uniform(1.5, 4.0)
        if "engagement_pod" in account.problems:
            account.pod_boost = traits.uniform(1.0, 2.5)
            account.pod_extra_members = traits.randint(6, 20)


def _form_pods(accounts: list[Account]) -> None:
    """Accounts marked for a pod join rings of 4 to 7 on their platform; every member comments
    on every post of the others. A lone leftover cannot form a ring and loses the mark."""
    for platform in PLATFORMS:
        members = [a for a in accounts if a.platform == platform and "engagement_pod" in a.problems]
        rings, start = [], 0
        while len(members) - start >= 4:
            size = min(len(members) - start, 4 + start % 4)
            if len(members) - start - size < 4:
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
