"""Fake-follower classifier: the probability that a follower profile is a bought or bot
account, from its public fields only. A logistic regression trained on the sandbox's follower
generator (`python -m kolpipe.fake_followers.train`); the coefficients ship as model.json."""

from kolpipe.fake_followers.features import PROFILE_FIELDS, ProfileError
from kolpipe.fake_followers.model import score_csv, score_profiles

__all__ = ["PROFILE_FIELDS", "ProfileError", "score_csv", "score_profiles"]
