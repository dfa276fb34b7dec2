"""The world's random sources and ids: every draw is seeded by what it is about, so any value
can be computed alone, in any order."""

from __future__ import annotations

import hashlib
import math
import random
from datetime import date

from kolpipe_tools.sandbox.constants import REFERENCE_DATE, YOUTUBE_SIGNIFICANT_DIGITS


def rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def day_number(d: date) -> int:
    return (d - REFERENCE_DATE).days


def poisson(source: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= source.random()
        if p <= limit:
            return k
        k += 1


def round_significant(value: int, digits: int = YOUTUBE_SIGNIFICANT_DIGITS) -> int:
    """YouTube's public subscriber counts keep three significant figures."""
    if value < 10**digits:
        return value
    step = 10 ** (len(str(value)) - digits)
    return (value // step) * step


def post_id(platform: str, key: str, day: int, i: int) -> str:
    digits = int.from_bytes(hashlib.blake2b(f"{key}|{day}|{i}".encode(), digest_size=7).digest())
    if platform == "youtube":
        return hashlib.blake2b(f"{key}|{day}|{i}".encode(), digest_size=8).hexdigest()[:11]
    return str(10**17 + digits % 9 * 10**16 + digits % 10**16)


def user_id(platform: str, index: int) -> str:
    if platform == "instagram":
        return str(17841400000000000 + index * 7919)
    if platform == "youtube":
        return "UC" + hashlib.blake2b(f"yt{index}".encode(), digest_size=11).hexdigest()[:22]
    if platform == "tiktok":
        return str(6800000000000000000 + index * 104729)
    if platform == "x":
        return str(1400000000 + index * 7727)
    return str(5000000000 + index * 131)
