"""Whether a date's raw data may be built: a failed data check stops the date, a platform that
could not be extracted (an outage) does not stop the others but is recorded as stale."""

from __future__ import annotations

from datetime import date

from kolpipe.core.files import write_json
from kolpipe.core.paths import PLATFORMS, Paths, run_record, run_records
from kolpipe.core.paths import paths as default_paths


class RawDataNotReady(RuntimeError):
    pass


def raw_ready(logical_date: date, task_states: dict[str, str | None],
              paths: Paths | None = None) -> dict:
    """Decide from the Airflow states of the extract_<platform> and check_raw_<platform> tasks."""
    paths = paths or default_paths()
    day = logical_date.isoformat()
    failed_checks = [p for p in PLATFORMS if task_states.get(f"check_raw_{p}") == "failed"]
    if failed_checks:
        raise RawDataNotReady(
            f"{day}: raw data checks failed for {', '.join(failed_checks)}, so the warehouse is "
            f"not built for this date. The failed expectations are in "
            f"{run_records(paths, 'quality', logical_date)}; fix the source, then clear "
            f"check_raw_<platform>.")
    landed = [p for p in PLATFORMS if task_states.get(f"check_raw_{p}") == "success"]
    stale = {p: task_states.get(f"extract_{p}") or "not run" for p in PLATFORMS if p not in landed}
    if not landed:
        raise RawDataNotReady(f"{day}: no platform was extracted; nothing to build. "
                              f"See the extract_<platform> task logs.")
    record = {"logical_date": day, "landed": landed, "stale": stale}
    # dbt creates the warehouse file but not its folder.
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    write_json(run_record(paths, "freshness", logical_date), record)
    return record
