"""The demo: the embedded default end to end on the sandbox world (README's first command).
One launcher of the sandbox process (`sandbox_process`) and one helper that lands N days
(`bootstrap`) serve the demo, `kolpipe run --sandbox`, the bench and the gate evaluation."""

from __future__ import annotations

import argparse
import csv
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from kolpipe.cli import run_through_airflow
from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.core.paths import paths as default_paths
from kolpipe.core.progress import progress


def run_demo(args: argparse.Namespace) -> int:
    from kolpipe import local_airflow, registry
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
        paths.registry.write_text(registry.dump(world.kols()), encoding="utf-8")
    paths.sandbox.mkdir(parents=True, exist_ok=True)
    with (paths.sandbox / "ground_truth_labels.csv").open("w", newline="") as handle:
        write_labels(world, handle)

    with sandbox_process(args.kols, args.port):
        # Airflow's set-up (metadata DB, pools, dbt manifest) runs beside the bootstrap.
        with ThreadPoolExecutor(max_workers=1) as setup:
            airflow_ready = setup.submit(local_airflow.prepare, paths)
            bootstrap(bulk_dates, paths)
            progress("waiting for Airflow's set-up (metadata DB in var/airflow, pools, "
                      "dbt manifest)")
            airflow_ready.result()
        return run_through_airflow(airflow_dates, paths)


def bootstrap(days: list[date], paths: Paths) -> None:
    """Land history in bulk through the DAG's own extraction code."""
    from kolpipe import land

    # The platforms of a day extract side by side, as the DAG's extract tasks do.
    with ThreadPoolExecutor(max_workers=len(PLATFORMS)) as pool:
        for n, day in enumerate(days, 1):
            started = time.monotonic()
            land.land_registry(day, paths)
            summaries = pool.map(lambda p, d=day: land.land_platform(p, d, paths),
                                 PLATFORMS)
            rows = sum(sum(summary["rows"].values()) for summary in summaries)
            progress(f"bootstrap {n}/{len(days)}: {day} landed {rows} rows "
                      f"({time.monotonic() - started:.1f}s)")


@contextmanager
def sandbox_process(kols: int, port: int) -> Iterator[str]:
    """The sandbox in a process of its own (a core of its own beside Airflow), with the
    connection variables pointing at it for this process and the ones it starts."""
    from kolpipe_tools.sandbox.server import connections

    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kolpipe_tools.cli", "sandbox", "serve", "--kols", str(kols),
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for(base_url, server)
        os.environ.update(connections(base_url))
        progress(f"sandbox platforms serving on {base_url}")
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def write_labels(world, handle) -> None:
    writer = csv.DictWriter(handle, ["platform", "account_id", "kol_id", "problem", "since"])
    writer.writeheader()
    writer.writerows(world.labels())


def _wait_for(base_url: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the sandbox exited with code {server.returncode}; is port "
                               f"{base_url.rsplit(':', 1)[1]} in use? Pass --port")
        try:
            httpx.get(f"{base_url}/x/2/users", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the sandbox did not answer on {base_url} within 30s")
