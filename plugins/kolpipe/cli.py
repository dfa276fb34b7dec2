"""kolpipe: the command line.

  kolpipe demo                       the embedded default end to end (README's first command)
  kolpipe extract PLATFORM DATE      one platform's extraction for one date, as the DAG runs it
  kolpipe sandbox serve|registry|labels
  kolpipe summary DATE
  kolpipe run FIRST [LAST] [--sandbox]  the DAG through the embedded Airflow (date or backfill)
  kolpipe warehouse parse            write the dbt manifest the DAG renders its dbt tasks from
  kolpipe gate run DATE | override ACCOUNT_KEY ... | benchmark
  kolpipe fake-followers score INPUT.csv OUTPUT.csv
  kolpipe bench [--quick]            the performance benchmark (`make bench`; --help for options)
"""

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
from pathlib import Path

from kolpipe.config import PLATFORMS, Paths
from kolpipe.config import paths as default_paths
from kolpipe.progress import progress


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # the bench has its own options (kolpipe.bench.run)
        from kolpipe.bench.run import main as bench

        return bench(argv[1:])
    parser = argparse.ArgumentParser(prog="kolpipe", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="sandbox world -> Airflow DAG runs -> summary")
    demo.add_argument("--kols", type=int, default=200, help="KOLs in the sandbox world")
    # 35: the lifecycle stage needs a 30-day growth, so at least 31 landed days.
    demo.add_argument("--history-days", type=int, default=35,
                      help="days of history bootstrapped in bulk before the Airflow runs")
    demo.add_argument("--airflow-days", type=int, default=1,
                      help="last days run through Airflow (`airflow dags test`)")
    demo.add_argument("--end", type=date.fromisoformat, default=None,
                      help="last logical date (default: yesterday, UTC)")
    demo.add_argument("--port", type=int, default=8765, help="sandbox port on 127.0.0.1")

    one = commands.add_parser("extract", help="extract and land one platform for one date")
    one.add_argument("platform", choices=PLATFORMS)
    one.add_argument("date", type=date.fromisoformat)

    sandbox = commands.add_parser("sandbox", help="the simulated platforms")
    sandbox.add_argument("action", choices=("serve", "registry", "labels"))
    sandbox.add_argument("--kols", type=int, default=200)
    sandbox.add_argument("--seed", type=int, default=7)
    sandbox.add_argument("--port", type=int, default=8765)

    summary = commands.add_parser("summary", help="print the run summary of a date")
    summary.add_argument("date", type=date.fromisoformat)

    run = commands.add_parser(
        "run", help="run the DAG through the embedded Airflow for a date or a range (backfill)")
    run.add_argument("first", type=date.fromisoformat)
    run.add_argument("last", type=date.fromisoformat, nargs="?",
                     help="last date of a backfill (default: just FIRST)")
    run.add_argument("--sandbox", action="store_true",
                     help="extract from the sandbox world (as the demo does) instead of the "
                          "connections in AIRFLOW_CONN_KOL_<PLATFORM>")
    run.add_argument("--kols", type=int, default=200, help="sandbox KOLs (with --sandbox)")
    run.add_argument("--port", type=int, default=8765, help="sandbox port (with --sandbox)")

    dbt = commands.add_parser("warehouse", help="the dbt project")
    dbt.add_argument("action", choices=("parse",),
                     help="parse: write the manifest the DAG renders its dbt tasks from")

    gate = commands.add_parser("gate", help="the account gate: verdicts, overrides, benchmark")
    gate_actions = gate.add_subparsers(dest="action", required=True)
    gate_run = gate_actions.add_parser("run", help="judge every account for a date")
    gate_run.add_argument("date", type=date.fromisoformat)
    override = gate_actions.add_parser("override", help="overrule an account's verdict")
    override.add_argument("account_key", help="<platform>:<account_id>, e.g. x:1400007727")
    override.add_argument("--verdict", required=True, choices=("pass", "review", "fail"))
    override.add_argument("--reason", required=True)
    override.add_argument("--by", required=True, help="who decides")
    benchmark = gate_actions.add_parser(
        "benchmark", help="fail verdicts vs the sandbox's ground truth over a window")
    benchmark.add_argument("--kols", type=int, default=200)
    benchmark.add_argument("--seed", type=int, default=7)
    benchmark.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30))
    benchmark.add_argument("--window-days", type=int, default=60)
    benchmark.add_argument("--reuse-landing", action="store_true",
                           help="score the landing zone already under KOLPIPE_HOME")

    followers = commands.add_parser("fake-followers", help="score follower profiles as fake")
    followers.add_argument("action", choices=("score",))
    followers.add_argument("input", type=Path, help="CSV with the profile columns")
    followers.add_argument("output", type=Path, help="the same rows plus fake_probability")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "demo":
        return run_demo(args)
    if args.command == "extract":
        from kolpipe import extract

        result = extract.extract_platform(args.platform, args.date)
        print({k: result[k] for k in ("rows", "quarantined", "api_calls", "quota_units")})
        for problem in result["account_errors"]:
            print(f"  {problem['kind']}: {problem['message']}")
        return 0
    if args.command == "sandbox":
        return run_sandbox(args)
    if args.command == "fake-followers":
        return run_fake_followers(args)
    if args.command == "gate":
        return run_gate_command(args)
    if args.command == "summary":
        from kolpipe import summary as summaries

        print(summaries.render([summaries.day_summary(args.date)]))
        return 0
    if args.command == "run":
        return run_days(args, args.first, args.last or args.first)
    if args.command == "warehouse":
        from kolpipe import warehouse

        print(f"manifest written: {warehouse.parse()}")
        return 0
    return 2


def run_days(args: argparse.Namespace, first: date, last: date) -> int:
    """One `airflow dags test` per date, in order; stops at the first failed date."""
    from kolpipe import local_airflow

    if last < first:
        print(f"error: the last date {last} is before the first {first}", file=sys.stderr)
        return 2
    missing = [f"AIRFLOW_CONN_KOL_{p.upper()}" for p in PLATFORMS
               if f"AIRFLOW_CONN_KOL_{p.upper()}" not in os.environ]
    if missing and not args.sandbox:
        print(f"error: no platform connection in {', '.join(missing)}. Set them (README, "
              f"Configuration), or pass --sandbox to extract from the sandbox world.",
              file=sys.stderr)
        return 2
    paths = default_paths()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    progress("preparing Airflow (metadata DB, pools, dbt manifest)")
    local_airflow.prepare(paths)
    if not args.sandbox:
        return _run_through_airflow(days, paths)
    with _sandbox_process(args.kols, args.port):
        return _run_through_airflow(days, paths)


def run_fake_followers(args: argparse.Namespace) -> int:
    from kolpipe.fake_followers import ProfileError, score_csv

    try:
        rows = score_csv(args.input, args.output)
    except (ProfileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{rows} profiles scored -> {args.output}")
    return 0


def run_gate_command(args: argparse.Namespace) -> int:
    from kolpipe import gate

    if args.action == "run":
        try:
            result = gate.run_gate(args.date)
        except (FileNotFoundError, gate.GatePolicyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"{args.date}: {result.counts}; verdicts in {result.verdicts_path}")
        for account in result.gated:
            print(f"  {account['verdict']:<7}{account['account_key']}: "
                  f"{'; '.join(account['reasons'])}")
        return 0
    if args.action == "override":
        try:
            recorded = gate.record_override(args.account_key, args.verdict, args.reason, args.by)
        except gate.OverrideError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"override recorded: {recorded.account_key} -> {recorded.verdict} (applies until "
              f"the evidence changes; file {gate.overrides_path(default_paths())})")
        return 0
    from kolpipe import gate_benchmark

    return gate_benchmark.main(default_paths(), args.kols, args.seed, args.end, args.window_days,
                               args.reuse_landing)


def run_sandbox(args: argparse.Namespace) -> int:
    from kolpipe import registry
    from kolpipe.sandbox.world import World

    world = World(args.kols, args.seed)
    if args.action == "serve":
        from kolpipe.sandbox.serve import serve_forever

        serve_forever(world, args.port)
    elif args.action == "registry":
        sys.stdout.write(registry.dump(world.kols()))
    else:
        _write_labels(world, sys.stdout)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from kolpipe import local_airflow, registry
    from kolpipe.sandbox.world import World

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
        _write_labels(world, handle)

    with _sandbox_process(args.kols, args.port):
        # Airflow's set-up (metadata DB, pools, dbt manifest) runs beside the bootstrap.
        with ThreadPoolExecutor(max_workers=1) as setup:
            airflow_ready = setup.submit(local_airflow.prepare, paths)
            _bootstrap(bulk_dates, paths)
            progress("waiting for Airflow's set-up (metadata DB in var/airflow, pools, "
                      "dbt manifest)")
            airflow_ready.result()
        return _run_through_airflow(airflow_dates, paths)


def _bootstrap(days: list[date], paths: Paths) -> None:
    """Land history in bulk through the DAG's own extraction code."""
    from kolpipe import extract

    # The platforms of a day extract side by side, as the DAG's extract tasks do.
    with ThreadPoolExecutor(max_workers=len(PLATFORMS)) as pool:
        for n, day in enumerate(days, 1):
            started = time.monotonic()
            extract.land_registry(day, paths)
            summaries = pool.map(lambda p, d=day: extract.extract_platform(p, d, paths),
                                 PLATFORMS)
            rows = sum(sum(summary["rows"].values()) for summary in summaries)
            progress(f"bootstrap {n}/{len(days)}: {day} landed {rows} rows "
                      f"({time.monotonic() - started:.1f}s)")


def _run_through_airflow(days: list[date], paths: Paths) -> int:
    """`airflow dags test` per date in order, then the summary; stops at the first failure."""
    from kolpipe import local_airflow, summary

    for day in days:
        progress(f"airflow dags test {local_airflow.DAG_ID} {day} ...")
        ok, seconds, log_file = local_airflow.dags_test(day, paths)
        progress(f"  {'succeeded' if ok else 'FAILED'} in {seconds:.0f}s (log: {log_file})")
        if not ok:
            print("\n".join(log_file.read_text(errors="replace").splitlines()[-40:]))
            return 1
    print()
    print(summary.render([summary.day_summary(day, paths) for day in days], paths))
    return 0


@contextmanager
def _sandbox_process(kols: int, port: int) -> Iterator[str]:
    """The sandbox in a process of its own (a core of its own beside Airflow), with the
    connection variables pointing at it for this process and the ones it starts."""
    from kolpipe.sandbox.server import connections

    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kolpipe.cli", "sandbox", "serve", "--kols", str(kols),
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for(base_url, server)
        os.environ.update(connections(base_url))
        progress(f"sandbox platforms serving on {base_url}")
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _write_labels(world, handle) -> None:
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


if __name__ == "__main__":
    sys.exit(main())
