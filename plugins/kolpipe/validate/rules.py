"""The raw checks' rules: expectations/raw/*.yml read as Rule objects (see the README there)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kolpipe.core.gx import ExpectationsFileError
from kolpipe.core.paths import EXPECTATIONS_DIR

SEVERITIES = ("row", "table")
ENTRY_KEYS = {"expectation", "kwargs", "columns", "for_each_landing_column", "severity", "why"}

# Run-time values the YAML refers to as {$PARAMETER: name}; see expectations/raw/README.md.
PARAMETERS = (
    "landing_schema_columns",
    "end_of_day_after_logical_date",
    "previous_day_row_count",
    "registered_account_ids_not_explained",
)


@dataclass(frozen=True)
class Rule:
    """One expectation of a table's suite, as written in expectations/raw/."""

    expectation: str
    kwargs: dict[str, Any]
    severity: str
    phase: str  # "schema" (checked first) or "checks"
    source: str  # the file it came from, for error messages
    why: str | None = None

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    @property
    def reason(self) -> str:
        """The quarantine reason, and the name a failure is reported under."""
        return f"{self.expectation}:{self.column}" if self.column else self.expectation

    def parameters(self) -> set[str]:
        """The run-time parameters this rule refers to."""
        expressions = [v["$PARAMETER"] for v in self.kwargs.values()
                       if isinstance(v, dict) and "$PARAMETER" in v]
        return {name for name in PARAMETERS for expression in expressions
                if re.search(rf"\b{name}\b", expression)}


def load_rules(platform: str, entity: str, expectations_dir: Path = EXPECTATIONS_DIR) -> list[Rule]:
    """The suite of <platform>__<entity>: _common.yml's schema, all_tables and <entity> sections,
    then the table's own file."""
    raw = expectations_dir / "raw"
    common_file, table_file = raw / "_common.yml", raw / f"{platform}__{entity}.yml"
    common, own = _read_yaml(common_file), _read_yaml(table_file)
    sections = [("schema", common_file, common, "schema"),
                ("checks", common_file, common, "all_tables"),
                ("checks", common_file, common, entity),
                ("checks", table_file, own, "expectations")]
    rules = []
    for phase, source, document, key in sections:
        for entry in document.get(key) or []:
            rules += _expand(entry, phase, f"{source.name} ({key})", platform, entity)
    return rules


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.exists():
        raise ExpectationsFileError(f"missing suite file {path}: every landed table needs one")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ExpectationsFileError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise ExpectationsFileError(f"{path}: expected a mapping of sections to rule lists")
    return document


def _expand(entry: Any, phase: str, source: str, platform: str, entity: str) -> list[Rule]:
    """One YAML entry → one rule per column (`columns:` or `for_each_landing_column:`)."""
    if not isinstance(entry, dict) or "expectation" not in entry:
        raise ExpectationsFileError(f"{source}: each rule needs `expectation:`; got {entry!r}")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise ExpectationsFileError(
            f"{source}: {entry['expectation']}: unknown keys {sorted(unknown)}; "
            f"allowed: {sorted(ENTRY_KEYS)}")
    severity = entry.get("severity")
    if severity not in SEVERITIES:
        raise ExpectationsFileError(
            f"{source}: {entry['expectation']}: severity must be one of {SEVERITIES}, "
            f"got {severity!r}")
    kwargs = dict(entry.get("kwargs") or {})
    if entry.get("for_each_landing_column"):
        from kolpipe.core import gx
        from kolpipe.core.fields import schema

        kwargs_per_column = [{**kwargs, "column": f.name, "type_": gx.type_name(f.type)}
                             for f in schema(platform, entity)]
    elif entry.get("columns"):
        kwargs_per_column = [{**kwargs, "column": column} for column in entry["columns"]]
    else:
        kwargs_per_column = [kwargs]
    if severity == "row" and "column" not in kwargs_per_column[0]:
        raise ExpectationsFileError(
            f"{source}: {entry['expectation']}: a row rule needs a column (`columns:`), since "
            "its failing rows are quarantined")
    return [Rule(entry["expectation"], k, severity, phase, source, entry.get("why"))
            for k in kwargs_per_column]
