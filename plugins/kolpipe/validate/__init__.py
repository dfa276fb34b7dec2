"""Validate raw: the Great Expectations checks on one platform's landed partitions for a date.

The rules live in `expectations/raw/` (one YAML file per landed table plus `_common.yml`, see
the README there). For each entity, in this order:

1. schema rules: columns and types of `landing_schema`. A failure fails the partition and
   stops that table's other rules: rows cannot be judged against a schema they do not have.
2. `severity: row` rules: failing rows move to the platform's quarantine partition with the
   rule as reason (`<expectation>:<column>`), and the landed partition is rewritten without
   them. They do not fail the run: nothing is dropped silently, it is counted instead.
3. `severity: table` rules, on the partition as dbt will read it (after step 2): volume,
   registry completeness. A failure fails the run.

The results are written to `runs/quality/dt=<date>/<platform>.json`. Counts in it describe
the final state (landed rows + rows this check quarantined), so a rerun on an already
cleaned partition writes the same files and the same JSON.

The modules: `rules` (the YAML read as rules), `run` (the three phases), `parameters` (the
run-time values the rules refer to), `describe` (failure text), `quarantine` (rows moved and
counted), `results` (what is reported), `freshness` (whether a date may be built). The GX
engine is shared with the gate: kolpipe.core.gx.

GX, pandas and pyarrow are imported inside the functions: a DAG file importing this package
stays fast.
"""

from __future__ import annotations

from kolpipe.core.gx import ExpectationsFileError
from kolpipe.validate.results import (
    EntityCounts,
    FailedExpectation,
    QualityResult,
    RawDataCheckFailed,
    SkippedExpectation,
    raise_if_failed,
)
from kolpipe.validate.rules import PARAMETERS, Rule, load_rules
from kolpipe.validate.run import validate_landed

__all__ = [
    "PARAMETERS",
    "EntityCounts",
    "ExpectationsFileError",
    "FailedExpectation",
    "QualityResult",
    "RawDataCheckFailed",
    "Rule",
    "SkippedExpectation",
    "load_rules",
    "raise_if_failed",
    "validate_landed",
]
