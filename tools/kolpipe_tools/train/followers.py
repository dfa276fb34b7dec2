"""Rebuild the fake-follower model from scratch: `python -m kolpipe_tools.train.followers`.

1. Writes the training and held-out sets to data/fake_followers/ (train.csv, test.csv), drawn
   from the sandbox's follower generator with fixed seeds that differ between the two sets.
2. Fits a logistic regression on standardised features (Newton's method with a small L2
   penalty, a fixed number of steps: the same data gives the same coefficients).
3. Writes the coefficients to model.json in this package and the held-out accuracy,
   precision, recall and AUC to data/fake_followers/metrics.json.

Numbers are rounded before they are written so a rebuild produces byte-identical files.
The data is synthetic: the figures say how well the model separates the sandbox's fakes, not
how it does on real platforms.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

import numpy as np

from kolpipe.core.paths import PROJECT_ROOT
from kolpipe.score.features import FEATURES, PROFILE_FIELDS, features, parse_profile
from kolpipe.score.model import MODEL_PATH, probability
from kolpipe_tools.sandbox.profiles import follower_profile

DATA_DIR = PROJECT_ROOT / "data" / "fake_followers"
LABEL = "is_fake"
TRAIN_SEED, TRAIN_SIZE = 20260101, 4000
TEST_SEED, TEST_SIZE = 20269999, 2000
FAKE_SHARE = 0.5
L2_PENALTY = 1.0
NEWTON_STEPS = 25
THRESHOLD = 0.5


def build_dataset(seed: int, size: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(size):
        fake = rng.random() < FAKE_SHARE
        rows.append({**follower_profile(rng, fake), LABEL: fake})
    return rows


def write_dataset(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [*PROFILE_FIELDS, LABEL], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: int(v) if isinstance(v, bool) else v for k, v in row.items()})


def read_dataset(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    x = np.array([features(parse_profile(row, f"{path}, line {n}"))
                  for n, row in enumerate(rows, 2)])
    y = np.array([float(row[LABEL]) for row in rows])
    return x, y


def fit(x: np.ndarray, y: np.ndarray) -> dict:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    design = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    weights = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * L2_PENALTY
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        weights -= np.linalg.solve(hessian, gradient)
    return {
        "kind": "logistic_regression",
        "features": list(FEATURES),
        "mean": _rounded(mean),
        "scale": _rounded(scale),
        "intercept": _rounded(weights[:1])[0],
        "coefficients": _rounded(weights[1:]),
        "trained_on": f"data/fake_followers/train.csv ({len(y)} profiles, seed {TRAIN_SEED})",
        "rebuild": "python -m kolpipe_tools.train.followers",
    }


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.6g}") for v in values]


def evaluate(model: dict, x: np.ndarray, y: np.ndarray) -> dict:
    scores = np.array([probability(list(row), model) for row in x])
    predicted = scores >= THRESHOLD
    actual = y == 1
    true_pos = int(np.sum(predicted & actual))
    false_pos = int(np.sum(predicted & ~actual))
    false_neg = int(np.sum(~predicted & actual))
    true_neg = int(np.sum(~predicted & ~actual))
    return {
        "held_out": f"data/fake_followers/test.csv ({len(y)} profiles, seed {TEST_SEED})",
        "threshold": THRESHOLD,
        "accuracy": round((true_pos + true_neg) / len(y), 4),
        "precision": round(true_pos / max(1, true_pos + false_pos), 4),
        "recall": round(true_pos / max(1, true_pos + false_neg), 4),
        "auc": round(_auc(scores, actual), 4),
        "confusion": {"true_fake": true_pos, "false_fake": false_pos,
                      "missed_fake": false_neg, "true_genuine": true_neg},
        "note": ("synthetic data from kolpipe_tools.sandbox.profiles; "
                 "accuracy on real data is unknown"),
    }


def _auc(scores: np.ndarray, actual: np.ndarray) -> float:
    """Probability that a random fake scores above a random genuine profile (ties count half)."""
    fakes, genuine = scores[actual], scores[~actual]
    above = (fakes[:, None] > genuine[None, :]).sum() + 0.5 * (
        fakes[:, None] == genuine[None, :]).sum()
    return float(above / (len(fakes) * len(genuine)))


def train(data_dir: Path = DATA_DIR, model_path: Path = MODEL_PATH) -> dict:
    """Build both datasets, fit, evaluate; returns the held-out metrics."""
    write_dataset(build_dataset(TRAIN_SEED, TRAIN_SIZE), data_dir / "train.csv")
    write_dataset(build_dataset(TEST_SEED, TEST_SIZE), data_dir / "test.csv")
    model = fit(*read_dataset(data_dir / "train.csv"))
    _write_json(model, model_path)
    metrics = evaluate(model, *read_dataset(data_dir / "test.csv"))
    _write_json(metrics, data_dir / "metrics.json")
    return metrics


def _write_json(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    print(f"building {TRAIN_SIZE} training and {TEST_SIZE} held-out profiles in {args.data_dir}")
    metrics = train(args.data_dir, args.model)
    print(f"model written to {args.model}")
    print("held-out: " + ", ".join(f"{k} {metrics[k]}" for k in
                                   ("accuracy", "precision", "recall", "auc")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
