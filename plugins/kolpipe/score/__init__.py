"""Fake-follower classifier: the probability that a follower profile is a bought or bot
account, from its public fields only. A logistic regression trained on the sandbox's follower
generator (`python -m kolpipe_tools.train.followers`); the coefficients ship as model.json."""

from kolpipe.score.features import PROFILE_FIELDS, ProfileError
from kolpipe.score.model import score_csv, score_profiles

__all__ = ["PROFILE_FIELDS", "ProfileError", "score_csv", "score_profiles"]
