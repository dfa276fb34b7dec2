"""What each task of the daily DAG does, one function per task. The DAG passes its logical
date; the pipeline's date is its calendar day (UTC)."""

from __future__ import annotations

import logging
from datetime import date, datetime

log = logging.getLogger(__name__)


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def land_registry(moment: datetime) -> int:
    from kolpipe import extract

    return extract.land_registry(_day(moment))


def extract(platform: str, moment: datetime) -> dict:
    from kolpipe import extract as extraction

    summary = extraction.extract_platform(platform, _day(moment))
    return {k: summary[k] for k in ("rows", "quarantined", "api_calls", "quota_units")}


def check_raw(platform: str, moment: datetime) -> dict:
    from kolpipe import quality

    result = quality.validate_landed(platform, _day(moment))
    quality.raise_if_failed(result)
    return {"passed": result.passed, "quarantined": result.quarantined_total}


def raw_ready(moment: datetime, task_states: dict[str, str | None]) -> dict:
    from kolpipe import freshness

    return freshness.raw_ready(_day(moment), task_states)


def publish(moment: datetime) -> dict:
    from kolpipe import warehouse

    return warehouse.publish(_day(moment))


def summarize(moment: datetime) -> dict:
    from kolpipe import summary

    report = summary.day_summary(_day(moment))
    log.info("%s", summary.render([report]))
    return {"date": report["date"], "rows_landed": report["rows_landed"]}
