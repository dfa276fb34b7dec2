"""Score follower profiles with the committed model (model.json beside this file)."""

from __future__ import annotations

import csv
import json
import math
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from kolpipe.score.features import (
    FEATURES,
    PROFILE_FIELDS,
    ProfileError,
    features,
    parse_profile,
)

MODEL_PATH = Path(__file__).with_name("model.json")
PROBABILITY_COLUMN = "fake_probability"


@cache
def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise ValueError(f"{path} was trained on other features than features.FEATURES; "
                         "rebuild it with `python -m kolpipe_tools.train.followers`")
    return model


def probability(feature_values: list[float], model: Mapping[str, Any]) -> float:
    z = model["intercept"] + sum(
        coefficient * (value - mean) / scale
        for value, mean, scale, coefficient in zip(
            feature_values, model["mean"], model["scale"], model["coefficients"], strict=True))
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def score_profiles(rows: Iterable[Mapping[str, Any]],
                   model: Mapping[str, Any] | None = None) -> list[float]:
    """Fake probability (0..1) of each profile. Rows hold the PROFILE_FIELDS, typed (bool, int)
    or as CSV text (0/1, digits). A bad field raises ProfileError naming the row and column."""
    return _score(((row, f"row {n}") for n, row in enumerate(rows, 1)), model)


def _score(rows: Iterable[tuple[Mapping[str, Any], str]],
           model: Mapping[str, Any] | None) -> list[float]:
    model = model or load_model()
    return [probability(features(parse_profile(row, where)), model) for row, where in rows]


def score_csv(input_path: Path, output_path: Path) -> int:
    """Write input_path's rows with a fake_probability column to output_path; returns the
    number of rows. Nothing is written when a row is bad."""
    try:
        with input_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ProfileError(f"{input_path}: not a readable UTF-8 CSV ({exc}); save it as CSV "
                           "with UTF-8 encoding") from exc
    missing = [name for name in PROFILE_FIELDS if name not in header]
    if missing:
        raise ProfileError(
            f"{input_path}: missing column(s) {', '.join(missing)}; the header must name "
            f"{', '.join(PROFILE_FIELDS)} (found: {', '.join(header) or 'no header'})")
    for line, row in enumerate(rows, 2):
        if None in row:
            raise ProfileError(f"{input_path}, line {line}: more fields than the header has "
                               "columns; quote text that contains commas")
    # The header is line 1, so data row n is on line n + 1.
    probabilities = _score(((row, f"{input_path}, line {line}")
                            for line, row in enumerate(rows, 2)), None)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    with output_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [*header, PROBABILITY_COLUMN], lineterminator="\n")
        writer.writeheader()
        for row, p in zip(rows, probabilities, strict=True):
            writer.writerow({**row, PROBABILITY_COLUMN: f"{p:.4f}"})
    return len(rows)
