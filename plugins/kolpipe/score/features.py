"""From a follower's public profile to the numbers the model reads.

Unknown is not empty. A field the platform did not return (None; in a CSV, an empty cell) is
unknown, and every feature that needs it is left out: the model for the remaining features
scores the profile (model.py). A known empty bio ("") is evidence; an unknown bio is none.

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

# Each feature with the profile fields it needs and the direction the literature agrees on
# (Cresci et al. 2015; the vendors' published fake-follower signals): +1 can only raise the
# fake probability, -1 can only lower it. Training keeps every coefficient on its side, so an
# artefact of one data set (say, fakes with long bios) cannot be learned.
# is_private is read but not used: private is common among genuine Instagram users and rare on
# X, so its meaning does not carry from one platform to another.
FEATURE_FIELDS: dict[str, tuple[tuple[str, ...], int]] = {
    "username_digit_ratio": (("username",), +1),
    "username_length": (("username",), +1),
    "has_full_name": (("full_name",), -1),
    "name_username_similarity": (("full_name", "username"), -1),
    "bio_length_log": (("bio",), -1),
    "has_profile_pic": (("has_profile_pic",), -1),
    "has_external_url": (("has_external_url",), -1),
    "posts_log": (("posts_count",), -1),
    "no_posts": (("posts_count",), +1),
    "followers_log": (("followers_count",), -1),
    "following_log": (("following_count",), +1),
}
FEATURES = tuple(FEATURE_FIELDS)
# The fields that feed at least one feature: the scorer's "fields used".
SCORED_FIELDS = tuple(f for f in PROFILE_FIELDS
                      if any(f in needs for needs, _ in FEATURE_FIELDS.values()))


class ProfileError(ValueError):
    """A profile field cannot be read; the message names where and how to fix it."""


def parse_profile(row: Mapping[str, Any], where: str,
                  blank_is_unknown: bool = False) -> dict[str, Any]:
    """The typed profile of `row`, None where a field is unknown; `where` (e.g. "followers.csv
    line 3") prefixes errors. `blank_is_unknown`: an empty text is unknown (the CSV
    interface), not a known empty bio or name."""
    missing = [name for name in PROFILE_FIELDS if name not in row]
    if missing:
        raise ProfileError(f"{where}: missing field(s) {', '.join(missing)}; every profile needs "
                           f"{', '.join(PROFILE_FIELDS)} (leave a value empty when unknown)")
    profile: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        value = row[name]
        if value is None or (isinstance(value, str) and not value.strip()
                             and (blank_is_unknown or name not in TEXT_FIELDS)):
            profile[name] = None
        elif name in TEXT_FIELDS:
            profile[name] = str(value)
        elif name in BOOL_FIELDS:
            profile[name] = _as_bool(value, f"{where}, column {name}")
        else:
            profile[name] = _as_count(value, f"{where}, column {name}")
    return profile


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    raise ProfileError(f"{where}: {value!r} is not a boolean; write 1 for yes, 0 for no, "
                       "or leave it empty when unknown")


def _as_count(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    # isdigit() alone lets through "²" and other digits int() refuses
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    raise ProfileError(f"{where}: {value!r} is not a count; write a whole number >= 0 with no "
                       "separators or suffixes (12500, not 12,500 or 12.5k), or leave it empty "
                       "when unknown")


def _latin_letters(text: str) -> str:
    """Lower-case ASCII letters of `text`, accents folded (Jānis -> janis)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalpha())


def known_fields(profile: Mapping[str, Any]) -> tuple[str, ...]:
    """The scored fields of a parsed profile that are known, in PROFILE_FIELDS order."""
    return tuple(f for f in SCORED_FIELDS if profile[f] is not None)


def features(profile: Mapping[str, Any]) -> dict[str, float]:
    """The features of one parsed profile that its known fields allow, in FEATURES order."""
    return {name: _feature(name, profile) for name, (needs, _) in FEATURE_FIELDS.items()
            if all(profile[field] is not None for field in needs)}


def _feature(name: str, profile: Mapping[str, Any]) -> float:
    username = profile["username"]
    if name == "username_digit_ratio":
        return sum(c.isdigit() for c in username) / len(username) if username else 0.0
    if name == "username_length":
        return float(len(username))
    if name == "has_full_name":
        return float(bool(profile["full_name"].strip()))
    if name == "name_username_similarity":
        name_letters = _latin_letters(profile["full_name"])
        handle_letters = _latin_letters(username)
        if name_letters and handle_letters:
            return SequenceMatcher(None, name_letters, handle_letters).ratio()
        # A name in a non-Latin script cannot be compared with a Latin handle: no evidence
        # (0.5), not a mismatch.
        return 0.5 if profile["full_name"].strip() else 0.0
    if name == "bio_length_log":
        return math.log1p(len(profile["bio"].strip()))
    if name in ("has_profile_pic", "has_external_url"):
        return float(profile[name])
    if name == "posts_log":
        return math.log1p(profile["posts_count"])
    if name == "no_posts":
        return float(profile["posts_count"] == 0)
    if name == "followers_log":
        return math.log1p(profile["followers_count"])
    return math.log1p(profile["following_count"])
