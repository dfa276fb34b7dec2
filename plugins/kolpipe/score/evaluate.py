"""How well the scorer separates fake from genuine profiles in a labelled CSV, next to a fixed
five-line heuristic measured the same way: `kolpipe fake-followers evaluate LABELLED.csv`.

Ranks (AUC) and probabilities (Brier score, reliability by bin) are both reported, because the
gate reads probabilities: a share of profiles at or over 0.5.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Sequence

from kolpipe.score.features import ProfileError, features, parse_profile
from kolpipe.score.model import FAKE_CUTOFF, read_profiles_csv, score_csv_rows

LABEL = "is_fake"
RELIABILITY_BINS = 10


def heuristic(values: Mapping[str, float]) -> float:
    """The baseline, on a profile's features: one point each for following over twice the
    followers, no posts, no bio, no picture and a handle over a quarter digits (a feature
    that is unknown scores 0)."""
    def is_(name: str, test: Any) -> bool:
        return name in values and bool(test(values[name]))

    return float(sum((
        "following_log" in values and "followers_log" in values
        and values["following_log"] - values["followers_log"] > math.log(2),
        is_("no_posts", lambda v: v == 1),
        is_("bio_length_log", lambda v: v == 0),
        is_("has_profile_pic", lambda v: v == 0),
        is_("username_digit_ratio", lambda v: v > 0.25),
    )))


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Probability that a random fake scores above a random genuine profile (ties half)."""
    ranked = sorted(zip(scores, labels, strict=True), key=lambda pair: pair[0])
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2  # ties share the mean of their 1-based ranks
        rank_sum += mid_rank * sum(label for _, label in ranked[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def brier(probabilities: Sequence[float], labels: Sequence[bool]) -> float:
    return math.fsum((p - y) ** 2 for p, y in zip(probabilities, labels, strict=True)) / len(
        labels)


def reliability(probabilities: Sequence[float], labels: Sequence[bool]) -> list[dict]:
    """Per probability bin (tenths): profiles, mean predicted probability, observed fake share."""
    bins: dict[int, list[tuple[float, bool]]] = {}
    for p, y in zip(probabilities, labels, strict=True):
        bins.setdefault(min(int(p * RELIABILITY_BINS), RELIABILITY_BINS - 1), []).append((p, y))
    return [{"bin": f"{b / RELIABILITY_BINS:.1f}-{(b + 1) / RELIABILITY_BINS:.1f}",
             "profiles": len(rows),
             "mean_probability": round(math.fsum(p for p, _ in rows) / len(rows), 4),
             "fake_share": round(sum(y for _, y in rows) / len(rows), 4)}
            for b, rows in sorted(bins.items())]


def metrics(probabilities: Sequence[float], heuristic_scores: Sequence[float],
            labels: Sequence[bool]) -> dict[str, Any]:
    """Scorer and heuristic figures on the same profiles."""
    predicted = [p >= FAKE_CUTOFF for p in probabilities]
    true_fake = sum(p and y for p, y in zip(predicted, labels, strict=True))
    flagged, fakes = sum(predicted), sum(labels)
    return {
        "profiles": len(labels), "fakes": fakes,
        "auc": _rounded(auc(probabilities, labels)),
        "brier": round(brier(probabilities, labels), 4),
        "precision_at_cutoff": round(true_fake / flagged, 4) if flagged else None,
        "recall_at_cutoff": round(true_fake / fakes, 4) if fakes else None,
        "heuristic_auc": _rounded(auc(heuristic_scores, labels)),
        "reliability": reliability(probabilities, labels),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def evaluate_csv(path: Path) -> dict[str, Any]:
    """Score a labelled CSV (the profile columns plus is_fake, 1 or 0) and measure."""
    _, rows = read_profiles_csv(path, extra=(LABEL,))
    labels = []
    for line, row in enumerate(rows, 2):
        if row[LABEL].strip() not in ("0", "1"):
            raise ProfileError(f"{path}, line {line}, column {LABEL}: {row[LABEL]!r} is not a "
                               "label; write 1 for a fake profile and 0 for a genuine one")
        labels.append(row[LABEL].strip() == "1")
    scores = score_csv_rows(path, rows)
    scored = [i for i, score in enumerate(scores) if score.probability is not None]
    if len({labels[i] for i in scored}) < 2:
        raise ProfileError(f"{path}: {len(scored)} scorable row(s) and not both labels among "
                           "them; an evaluation needs fake (1) and genuine (0) profiles with "
                           "at least one known field each")
    profiles = [parse_profile(rows[i], f"{path}", blank_is_unknown=True) for i in scored]
    result = metrics([scores[i].probability for i in scored],
                     [heuristic(features(p)) for p in profiles], [labels[i] for i in scored])
    result["unscored"] = len(rows) - len(scored)
    result["confidence"] = {level: sum(scores[i].confidence == level for i in scored)
                            for level in ("high", "medium", "low")}
    return result


def render(path: Path, result: Mapping[str, Any]) -> str:
    lines = [
        f"{path}: {result['profiles']} profiles scored ({result['fakes']} fake), "
        f"{result['unscored']} without any known field",
        f"  scorer     AUC {result['auc']}  Brier {result['brier']}  at p >= {FAKE_CUTOFF}: "
        f"precision {result['precision_at_cutoff']}, recall {result['recall_at_cutoff']}",
        f"  heuristic  AUC {result['heuristic_auc']}  (five fixed signals, for comparison)",
        "  confidence of the scores: " + ", ".join(
            f"{count} {level}" for level, count in result["confidence"].items()),
        "  reliability (predicted vs observed fake share):",
    ]
    lines += [f"    {b['bin']}: {b['profiles']:>6} profiles, predicted {b['mean_probability']:.3f},"
              f" observed {b['fake_share']:.3f}" for b in result["reliability"]]
    return "\n".join(lines)
