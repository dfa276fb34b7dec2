"""From a follower's public profile to the numbers the model reads.

Every profile field arrives either typed (bool, int: follower samples landed by the pipeline)
or as CSV text (booleans 0/1, counts as digits); `parse_profile` turns both into one typed
shape and rejects anything else with a message naming where it came from and the fix.
"""

from __future__ import annotations

import math
import unicodedata
from difflib import SequenceMatcher
from typing import Any, Mapping

TEXT_FIELDS = ("username", "full_name", "bio")
BOOL_FIELDS = ("has_profile_pic", "is_private", "has_external_url")
COUNT_FIELDS = ("posts_count", "followers_count", "following_count")
PROFILE_FIELDS = TEXT_FIELDS + BOOL_FIELDS + COUNT_FIELDS

FEATURES = (
    "username_digit_ratio",
    "username_length",
    "has_full_name",
    "name_username_similarity",
    "bio_length_log",
    "has_profile_pic",
    "is_private",
    "has_external_url",
    "posts_log",
    "followers_log",
    "following_log",
    "following_to_followers_log_ratio",
)


class ProfileError(ValueError):
    """A profile field cannot be read; the message names where and how to fix it."""


def parse_profile(row: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The typed profile of `row`; `where` (e.g. "followers.csv row 3") prefixes errors."""
    missing = [name for name in PROFILE_FIELDS if name not in row]
    if missing:
        raise ProfileError(f"{where}: missing field(s) {', '.join(missing)}; every profile needs "
                           f"{', '.join(PROFILE_FIELDS)}")
    profile: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = row[name]
        profile[name] = "" if value is None else str(value)
    for name in BOOL_FIELDS:
        profile[name] = _as_bool(row[name], f"{where}, column {name}")
    for name in COUNT_FIELDS:
        profile[name] = _as_count(row[name], f"{where}, column {name}")
    return profile


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    raise ProfileError(f"{where}: {value!r} is not a boolean; write 1 for yes and 0 for no")


def _as_count(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ProfileError(f"{where}: {value!r} is not a count; write a whole number >= 0 with no "
                       "separators or suffixes (12500, not 12,500 or 12.5k)")


def _latin_letters(text: str) -> str:
    """Lower-case ASCII letters of `text`, accents folded (Jānis -> janis)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalpha())


def features(profile: Mapping[str, Any]) -> list[float]:
    """The model's inputs for one parsed profile, in FEATURES order."""
    username = profile["username"]
    digits = sum(c.isdigit() for c in username)
    name_letters = _latin_letters(profile["full_name"])
    handle_letters = _latin_letters(username)
    # Names in non-Latin scripts cannot be compared with a Latin handle: they count as
    # "no evidence" (0.5), not as a mismatch.
    if name_letters and handle_letters:
        similarity = SequenceMatcher(None, name_letters, handle_letters).ratio()
    else:
        similarity = 0.5 if profile["full_name"].strip() else 0.0
    followers = math.log1p(profile["followers_count"])
    following = math.log1p(profile["following_count"])
    return [
        digits / len(username) if username else 0.0,
        float(len(username)),
        float(bool(profile["full_name"].strip())),
        similarity,
        math.log1p(len(profile["bio"].strip())),
        float(profile["has_profile_pic"]),
        float(profile["is_private"]),
        float(profile["has_external_url"]),
        math.log1p(profile["posts_count"]),
        followers,
        following,
        following - followers,
    ]
