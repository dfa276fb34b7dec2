"""Overrides: a person's verdict for an account (`kolpipe gate override`), kept with the evidence
fingerprint it was made against and applied while that fingerprint is unchanged."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kolpipe.core.paths import Paths
from kolpipe.core.paths import paths as default_paths
from kolpipe.gate.policy import VERDICTS
from kolpipe.gate.verdicts import latest_verdict

log = logging.getLogger("kolpipe.gate")  # the stage's logger, whichever module logs

OVERRIDE_FIELDS = ("recorded_at", "account_key", "verdict", "reason", "by", "evidence_fingerprint")


class OverrideError(ValueError):
    pass


@dataclass(frozen=True)
class Override:
    recorded_at: str
    account_key: str
    verdict: str
    reason: str
    by: str
    evidence_fingerprint: str


def record_override(account_key: str, verdict: str, reason: str, by: str,
                    paths: Paths | None = None) -> Override:
    """Record a person's verdict for an account against its latest evidence."""
    paths = paths or default_paths()
    if verdict not in VERDICTS:
        raise OverrideError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if not reason.strip() or not by.strip():
        raise OverrideError("an override needs a reason and the name of who made it")
    latest = latest_verdict(paths, account_key)
    if latest is None:
        raise OverrideError(
            f"no gate verdict for {account_key!r} yet: an override is made against the evidence "
            "of a verdict. Account keys look like 'instagram:17841400000007919'; run the gate "
            "first (kolpipe gate run DATE).")
    override = Override(datetime.now(UTC).isoformat(timespec="seconds"), account_key, verdict,
                        reason.strip(), by.strip(), latest["evidence_fingerprint"])
    path = overrides_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, OVERRIDE_FIELDS)
        if is_new:
            writer.writeheader()
        writer.writerow(override.__dict__)
    log.info("override recorded for %s: %s (computed %s on %s) by %s", account_key, verdict,
             latest["computed_verdict"], latest["logical_date"], by)
    return override


def overrides_path(paths: Paths) -> Path:
    """Overrides are the team's decisions, not pipeline output: one CSV under the home, appended
    to (never rewritten), so who decided what and when stays readable."""
    return paths.home / "gate" / "overrides.csv"


def load_overrides(paths: Paths) -> dict[str, Override]:
    """The latest override per account (later lines win); unusable lines are left out."""
    return read_overrides(paths)[0]


def read_overrides(paths: Paths) -> tuple[dict[str, Override], list[str]]:
    """The latest usable override per account, and one line per problem (file, line, fix).

    The file is edited by hand, often in a spreadsheet, so it may come back with a BOM, `;` or
    tab separators or a Windows encoding; those are read. A line that cannot be used (no
    account, an unknown verdict) is left out, and a header without the needed columns leaves
    every override out: the gate still runs, and the problems are reported, never raised."""
    path = overrides_path(paths)
    if not path.exists():
        return {}, []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # what spreadsheets save on Windows
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [name for name in ("account_key", "verdict", "evidence_fingerprint")
               if name not in header]
    if missing:
        return {}, [f"{path}, line 1: no column(s) {', '.join(missing)}; no override applied. "
                    f"The header must be {','.join(OVERRIDE_FIELDS)}"]
    overrides, problems = {}, []
    for line, row in enumerate(reader, 2):
        values = {k: (row.get(k) or "").strip() for k in OVERRIDE_FIELDS}
        if not values["account_key"]:
            problems.append(f"{path}, line {line}: no account_key; line left out")
        elif values["verdict"] not in VERDICTS:
            problems.append(f"{path}, line {line}: verdict {values['verdict']!r} is not one of "
                            f"{', '.join(VERDICTS)}; line left out (re-record it with "
                            "`kolpipe gate override`)")
        else:
            overrides[values["account_key"]] = Override(**values)
    return overrides, problems
