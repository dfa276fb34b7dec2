"""The demo: the embedded default end to end on the sandbox world (README's first command).
`land_days` is the one helper that lands N days (the demo's bootstrap, the gate evaluation);
the sandbox's one launcher is kolpipe_tools.sandbox.serve."""

from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from kolpipe.cli import run_through_airflow
from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.core.paths import paths as default_paths
from kolpipe.core.progress import progress


def run_demo(args: argparse.Namespace) -> int:
    from kolpipe import local_airflow, registry
    from kolpipe_tools.sandbox import creators
    from kolpipe_tools.sandbox.serve import sandbox_process
    from kolpipe_tools.sandbox.world import World

    if args.airflow_days < 1 or args.history_days < args.airflow_days:
        print(f"error: --airflow-days must be at least 1 and at most --history-days "
              f"(got {args.airflow_days} and {args.history_days})", file=sys.stderr)
        return 2
    logging.getLogger().setLevel(logging.WARNING)
    paths = default_paths()
    end = args.end or datetime.now(UTC).date() - timedelta(days=1)
    first = end - timedelta(days=args.history_days - 1)
    airflow_dates = [end - timedelta(days=i) for i in reversed(range(args.airflow_days))]
    bulk_dates = [first + timedelta(days=i) for i in range((airflow_dates[0] - first).days)]
    progress(f"KOLPIPE_HOME={paths.home}; sandbox world of {args.kols} KOLs; "
              f"{len(bulk_dates)} days bootstrapped in bulk, then {len(airflow_dates)} through "
              f"Airflow, ending {end}")

    world = World(args.kols)
    if "KOLPIPE_REGISTRY" not in os.environ:
        paths.registry.parent.mkdir(parents=True, exist_ok=True)
        entries = creators.mark_authorized(world, world.kols())
        paths.registry.write_text(registry.dump(entries), encoding="utf-8")
    paths.sandbox.mkdir(parents=True, exist_ok=True)
    with (paths.sandbox / "ground_truth_labels.csv").open("w", newline="") as handle:
        write_labels(world, handle)

    with sandbox_process(args.kols, args.port):
        progress(f"sandbox platforms serving on 127.0.0.1:{args.port}")
        # Airflow's set-up (metadata DB, pools, dbt manifest) runs beside the bootstrap.
        with ThreadPoolExecutor(max_workers=1) as setup:
            airflow_ready = setup.submit(local_airflow.prepare, paths)
            grants = connect_creators((bulk_dates or airflow_dates)[0])
            land_days(bulk_dates, paths, label="bootstrap")
            progress("waiting for Airflow's set-up (metadata DB in var/airflow, pools, "
                      "dbt manifest)")
            airflow_ready.result()
        local_airflow.store_grants(paths, list(grants.grants.values()))
        progress(f"the creators' grants handed to Airflow Variables ({len(grants.grants)})")
        return run_through_airflow(airflow_dates, paths)


def connect_creators(day: date):
    """The creators marked `access: authorized` open the consent link on the day; those who
    consent are connected (their grants kept in this process until Airflow's are ready)."""
    from collections import Counter

    from kolpipe.extract import onboarding
    from kolpipe.extract.grants import default_store
    from kolpipe_tools.sandbox import creators

    store, connected, declined = default_store(), Counter(), Counter()
    for account in onboarding.authorized_accounts():
        link = onboarding.link(account.platform, account, DEMO_REDIRECT)
        code = creators.consent_code(link, account.account_id, day)
        if code is None:
            declined[account.platform] += 1
            continue
        onboarding.connect(account.platform, account, code, DEMO_REDIRECT, store,
                           now=creators.end_of(day))
        connected[account.platform] += 1
    progress("creators connected through OAuth on " + day.isoformat() + ": " + ", ".join(
        f"{p} {connected[p]}" + (f" ({declined[p]} did not consent)" if declined[p] else "")
        for p in sorted(connected | declined)) + "; every other account is read as public")
    return store


DEMO_REDIRECT = "http://127.0.0.1/kolpipe/oauth/callback"


def land_days(days: list[date], paths: Paths, label: str = "landed") -> None:
    """Land the registry and every platform for each day from the connections in the
    environment, through the DAG's own extraction code (land.land_platform), without the raw
    checks (on the sandbox they pass, and they would quadruple the time). The one helper the
    demo's bootstrap and the gate evaluation land history with."""
    from kolpipe import land

    # The platforms of a day extract side by side, as the DAG's extract tasks do.
    with ThreadPoolExecutor(max_workers=len(PLATFORMS)) as pool:
        for n, day in enumerate(days, 1):
            started = time.monotonic()
            land.land_registry(day, paths)
            summaries = pool.map(lambda p, d=day: land.land_platform(p, d, paths),
                                 PLATFORMS)
            rows = sum(sum(summary["rows"].values()) for summary in summaries)
            progress(f"{label} {n}/{len(days)}: {day}, {rows} rows "
                      f"({time.monotonic() - started:.1f}s)")


def write_labels(world, handle) -> None:
    writer = csv.DictWriter(handle, ["platform", "account_id", "kol_id", "problem", "since"])
    writer.writeheader()
    writer.writerows(world.labels())
