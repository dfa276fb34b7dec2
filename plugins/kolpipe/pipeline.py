"""What each task of the daily DAG does, one function per task. The DAG passes its logical
date; the pipeline's date is its calendar day (UTC)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from kolpipe.core.paths import paths as default_paths

log = logging.getLogger(__name__)


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def land_registry(moment: datetime) -> int:
    from kolpipe import land

    return land.land_registry(_day(moment))


def extract(platform: str, moment: datetime, run_id: str | None = None) -> dict:
    """Extract and land the platform; alert on creators' consents ending or lost."""
    from kolpipe import land, notify
    from kolpipe.core.paths import run_record

    day = _day(moment)
    summary = land.land_platform(platform, day)
    alert = notify.alert_for_consent_events(
        day, platform, summary["consent_events"], run_id=run_id,
        where_to_look=[str(run_record(default_paths(), "extract", day, f"{platform}.json"))])
    if alert:
        notify.send(alert)
    return {k: summary[k] for k in ("rows", "quarantined", "api_calls", "quota_units")}


def check_raw(platform: str, moment: datetime) -> dict:
    from kolpipe import validate

    result = validate.validate_landed(platform, _day(moment))
    validate.raise_if_failed(result)
    return {"passed": result.passed, "quarantined": result.quarantined_total}


def raw_ready(moment: datetime, task_states: dict[str, str | None]) -> dict:
    from kolpipe.validate import freshness

    return freshness.raw_ready(_day(moment), task_states)


def score_followers(moment: datetime) -> dict:
    """Score the staged follower samples with the fake-follower classifier, for the signals."""
    from kolpipe import build
    from kolpipe.score import followers

    # The scorer reads the warehouse: `airflow dags test` runs the dbt tasks in this process,
    # and dbt-duckdb keeps its connection open.
    build.release_warehouse()
    return followers.score_follower_samples(_day(moment))


def gate_accounts(moment: datetime, run_id: str | None = None) -> dict:
    """Judge every account on the date's signals; alert on accounts newly failed or sent to
    review (an account gated yesterday for the same reasons is not alerted again)."""
    from kolpipe import build, gate, notify
    from kolpipe.core.paths import PLATFORMS

    day = _day(moment)
    build.release_warehouse()
    result = gate.run_gate(day)
    newly_gated = newly_gated_rows(result.verdict_rows, gate.verdicts_root(default_paths()), day)
    for platform in PLATFORMS:
        alert = notify.alert_for_gated_accounts(
            day, platform, [row for row in newly_gated if row["platform"] == platform],
            where_to_look=[str(result.result_path), str(result.verdicts_path)], run_id=run_id)
        if alert:
            notify.send(alert)
    ignored = notify.alert_for_ignored_overrides(
        day, result.override_problems, run_id=run_id,
        where_to_look=[str(gate.overrides_path(default_paths())), str(result.result_path)])
    if ignored:
        notify.send(ignored)
    return {"counts": result.counts, "newly_gated": len(newly_gated),
            "override_lines_left_out": len(result.override_problems)}


def newly_gated_rows(rows: list[dict], verdicts_root: Path, day: date) -> list[dict]:
    """The review and fail rows whose verdict or reasons differ from the newest verdict
    partition before `day` (an account gated again for the same reasons is not news)."""
    import pyarrow.parquet as pq

    from kolpipe.notify import GATED_VERDICTS

    earlier = sorted(p for p in verdicts_root.glob("dt=*") if p.name < f"dt={day.isoformat()}")
    previous = {}
    if earlier:
        table = pq.read_table(earlier[-1]).select(["account_key", "verdict", "reason_codes"])
        previous = {r["account_key"]: (r["verdict"], r["reason_codes"]) for r in table.to_pylist()}
    return [row for row in rows if row["verdict"] in GATED_VERDICTS
            and previous.get(row["account_key"]) != (row["verdict"], row["reason_codes"])]


def publish(moment: datetime) -> dict:
    from kolpipe import publish

    return publish.publish(_day(moment))


def summarize(moment: datetime) -> dict:
    from kolpipe.report import summary

    report = summary.day_summary(_day(moment))
    log.info("%s", summary.render([report]))
    return {"date": report["date"], "rows_landed": report["rows_landed"]}
