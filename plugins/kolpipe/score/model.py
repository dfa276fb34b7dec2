"""Score follower profiles with the committed model (model.json beside this file).

model.json holds one logistic regression per set of known fields: a profile is scored by the
model trained on exactly the fields it has, so an unknown field is neither evidence of a fake
nor of a person. Each model carries its AUC on a data source it was not trained on; that
figure is the score's confidence.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from kolpipe.score.features import (
    FEATURES,
    PROFILE_FIELDS,
    ProfileError,
    features,
    known_fields,
    parse_profile,
)

MODEL_PATH = Path(__file__).with_name("model.json")
PROBABILITY_COLUMN = "fake_probability"
# A profile counts as fake at this probability: in the gate's share and in the evaluation.
FAKE_CUTOFF = 0.5
FIELDS_COLUMN = "fields_used"
CONFIDENCE_COLUMN = "confidence"
# Confidence from the model's AUC on a source it never saw (model.json, held_out_auc).
CONFIDENCE_LEVELS = ((0.95, "high"), (0.85, "medium"), (0.0, "low"))


@dataclass(frozen=True)
class Score:
    """One profile's score: probability is None when no scored field is known."""

    probability: float | None
    fields: tuple[str, ...]
    confidence: str


@cache
def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise ValueError(f"{path} was trained on other features than features.FEATURES; "
                         "rebuild it with `python -m kolpipe_tools.train.followers`")
    return model


def field_set_key(fields: Iterable[str]) -> str:
    return "+".join(fields)


def confidence_of(held_out_auc: float) -> str:
    return next(label for floor, label in CONFIDENCE_LEVELS if held_out_auc >= floor)


def probability(values: Mapping[str, float], weights: Mapping[str, Any]) -> float:
    """The logistic model `weights` (one entry of model.json's models) on feature `values`."""
    z = weights["intercept"] + sum(
        coefficient * (values[name] - mean) / scale
        for name, mean, scale, coefficient in zip(
            weights["features"], weights["mean"], weights["scale"], weights["coefficients"],
            strict=True))
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def score_profile(profile: Mapping[str, Any], model: Mapping[str, Any]) -> Score:
    """Score one parsed profile with the model for its known fields."""
    fields = known_fields(profile)
    if not fields:
        return Score(None, (), "none")
    weights = model["models"][field_set_key(fields)]
    return Score(probability(features(profile), weights), fields,
                 confidence_of(weights["held_out_auc"]))


def score_profiles(rows: Iterable[Mapping[str, Any]],
                   model: Mapping[str, Any] | None = None) -> list[Score]:
    """Score each profile. Rows hold the PROFILE_FIELDS, typed (bool, int, None when unknown)
    or as CSV text (0/1, digits). A bad field raises ProfileError naming the row and column."""
    return _score(((row, f"row {n}") for n, row in enumerate(rows, 1)), model, False)


def _score(rows: Iterable[tuple[Mapping[str, Any], str]], model: Mapping[str, Any] | None,
           blank_is_unknown: bool) -> list[Score]:
    model = model or load_model()
    return [score_profile(parse_profile(row, where, blank_is_unknown), model)
            for row, where in rows]


def read_profiles_csv(input_path: Path, extra: tuple[str, ...] = ()) -> tuple[list[str],
                                                                              list[dict]]:
    """The header and rows of a profile CSV; a missing column or a malformed row raises
    ProfileError naming the file and line. `extra` names columns required beyond the profile."""
    try:
        with input_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{input_path}: not UTF-8 ({exc.reason} at byte {exc.start}); save "
                           "it as CSV with UTF-8 encoding") from None
    except csv.Error as exc:
        # the reader counts the line it failed on only once it is read
        raise ProfileError(f"{input_path}, line {reader.line_num + 1}: not a readable CSV ({exc}); "
                           "a field over 128 KiB or an unclosed quote is the usual cause: "
                           "check that line's quotes") from None
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ProfileError(f"{input_path}, line 1: column(s) {', '.join(repeated)} appear more "
                           "than once in the header; keep one of each")
    missing = [name for name in (*PROFILE_FIELDS, *extra) if name not in header]
    if missing:
        raise ProfileError(
            f"{input_path}: missing column(s) {', '.join(missing)}; the header must name "
            f"{', '.join((*PROFILE_FIELDS, *extra))}, with empty cells where a value is unknown "
            f"(found: {', '.join(header) or 'no header'})")
    for line, row in enumerate(rows, 2):
        if None in row:
            raise ProfileError(f"{input_path}, line {line}: more fields than the header has "
                               "columns; quote text that contains commas")
    return header, rows


def score_csv_rows(input_path: Path, rows: list[dict]) -> list[Score]:
    """Score a profile CSV's rows; an empty cell is unknown. Errors name the file and line."""
    # The header is line 1, so data row n is on line n + 1.
    return _score(((row, f"{input_path}, line {line}") for line, row in enumerate(rows, 2)),
                  None, True)


def score_csv(input_path: Path, output_path: Path) -> int:
    """Write input_path's rows with fake_probability, fields_used and confidence to
    output_path; returns the number of rows. Nothing is written when a row is bad."""
    header, rows = read_profiles_csv(input_path)
    scores = score_csv_rows(input_path, rows)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    columns = [*header, PROBABILITY_COLUMN, FIELDS_COLUMN, CONFIDENCE_COLUMN]
    with output_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        for row, score in zip(rows, scores, strict=True):
            writer.writerow({
                **row,
                PROBABILITY_COLUMN: "" if score.probability is None else f"{score.probability:.4f}",
                FIELDS_COLUMN: ";".join(score.fields), CONFIDENCE_COLUMN: score.confidence})
    return len(rows)
