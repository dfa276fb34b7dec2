"""The logical dates a run may have: none before the platform existed, none after tomorrow.

A typo such as 0001-01-01 would land a partition nobody can explain, and 9999-12-31 overflows
the day after; a date in the future has nothing to extract yet. UTC "tomorrow" is allowed
because a date already started somewhere on Earth. The sandbox simulates any date, so where
it answers, the future is allowed up to SIMULATED_UNTIL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

# Public launch dates; a registry snapshot may go back to the oldest of them.
LAUNCHED = {"youtube": date(2005, 2, 14), "x": date(2006, 7, 15), "weibo": date(2009, 8, 14),
            "instagram": date(2010, 10, 6), "tiktok": date(2016, 9, 20)}


SIMULATED_UNTIL = date(2099, 12, 31)


class DateOutOfRange(ValueError):
    """The logical date cannot be run; the message names it and the range."""


def check_logical_date(logical_date: date, platform: str | None = None,
                       today: date | None = None, simulated: bool = False) -> date:
    """`logical_date` if a run may have it, else DateOutOfRange naming the limits.
    `simulated`: the data comes from the sandbox, which has a future."""
    first = LAUNCHED[platform] if platform else min(LAUNCHED.values())
    last = SIMULATED_UNTIL if simulated else (today or datetime.now(UTC).date()) + timedelta(
        days=1)
    if not first <= logical_date <= last:
        what = f"{platform} launched on {first}" if platform else f"the oldest platform {first}"
        after = "the sandbox's last day" if simulated else "tomorrow, UTC"
        raise DateOutOfRange(f"logical date {logical_date} is out of range: {what}, and no date "
                             f"after {last} ({after}) has data; check the date")
    return logical_date
