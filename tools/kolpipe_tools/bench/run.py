"""`make bench`: runs every stage in its own process (so each stage's peak memory is its own),
prints progress and a table, and writes bench/results/latest.json and latest.md.

  python -m kolpipe_tools.bench          10,000 accounts, 365 days of history (+3 incremental)
  python -m kolpipe_tools.bench --quick  500 accounts, 30 days: for iterating on the bench itself
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kolpipe.core.paths import PROJECT_ROOT
from kolpipe.core.progress import progress
from kolpipe_tools.bench import stages
from kolpipe_tools.bench.report import (  # noqa: F401 (the report, as run's)
    median_run,
    render_table,
    table_rows,
    write_results,
)

END_DATE = date(2026, 12, 31)  # fixed, so the cached landing is reused between runs
GIB = 1024**3
# Days built incrementally after each full build; the incremental figure is their median (one
# day's time varies by a few seconds with when DuckDB checkpoints its write-ahead log).
INCREMENTAL_DAYS = 3
ALL_STAGES = ("generate", "floor", "dbt", "extraction", "dag_parse")
# The stages that read the generated landing (extraction and DAG parse do not).
NEEDS_LANDING = {"generate", "floor", "dbt"}


class StageFailed(RuntimeError):
    pass


def run_stage(name: str, params: dict) -> dict:
    """Run one stage in a child process; adds its wall seconds and peak RSS (from wait4, the
    child's own rusage including anything it waited for)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = Path(handle.name)
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "kolpipe_tools.bench", "stage", name,
                              json.dumps(params), str(result_file)])
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    try:
        if child.returncode != 0:
            raise StageFailed(f"bench stage {name} failed (exit {child.returncode}); its output "
                              "is above")
        result = json.loads(result_file.read_text())
    finally:
        result_file.unlink(missing_ok=True)
    result["process_seconds"] = round(wall, 2)
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB
    return result


def run_stage_in_child(name: str, params_json: str, result_file: str) -> int:
    result = stages.STAGES[name](json.loads(params_json))
    Path(result_file).write_text(json.dumps(result, default=str))
    return 0


def machine() -> dict:
    import dbt.version
    import duckdb

    mem_total = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_total = int(line.split()[1]) * 1024
    return {"cores": os.cpu_count(), "ram_gib": round(mem_total / GIB, 1),
            "cpu": _cpu_model(), "os": f"{host.system()} {host.release()}",
            "python": host.python_version(), "duckdb": duckdb.__version__,
            "dbt_core": dbt.version.__version__, "load_average_at_start": os.getloadavg()[0]}


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return host.processor()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kolpipe bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="500 accounts x 30 days, history 7 vs 30, 20 extraction KOLs")
    parser.add_argument("--accounts", type=int, help="accounts in the world (default 10,000)")
    parser.add_argument("--history-days", type=int, help="long history (default 365)")
    parser.add_argument("--short-history-days", type=int, help="short history (default 30)")
    parser.add_argument("--mid-history-days", type=int,
                        help="history once the 60-day windows are full (default 90)")
    parser.add_argument("--extract-kols", type=int, help="sandbox KOLs for extraction (200)")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="sandbox rate limit, calls per second per platform")
    parser.add_argument("--memory-limit", default="8GB",
                        help="DuckDB memory limit for dbt, the floor and generation")
    parser.add_argument("--stages", default=",".join(ALL_STAGES),
                        help=f"comma-separated subset of {','.join(ALL_STAGES)}")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_ROOT / "var" / "bench",
                        help="cached landings and bench homes")
    parser.add_argument("--results-dir", type=Path, default=PROJECT_ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    quick = args.quick
    settings = {
        "accounts": args.accounts or (500 if quick else 10_000),
        "history_days": args.history_days or (30 if quick else 365),
        "short_history_days": args.short_history_days or (7 if quick else 30),
        "mid_history_days": args.mid_history_days or (14 if quick else 90),
        "extract_kols": args.extract_kols or (20 if quick else 200),
        "rate_per_second": args.rate, "memory_limit": args.memory_limit, "duckdb_threads": 2,
        "quick": quick,
    }
    selected = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(selected) - set(ALL_STAGES))
    if unknown:
        parser.error(f"--stages: unknown stage(s) {', '.join(unknown)}; choose from "
                     f"{','.join(ALL_STAGES)}")
    lengths = [settings[k] for k in ("short_history_days", "mid_history_days", "history_days")]
    if "dbt" in selected and not 0 < lengths[0] < lengths[1] < lengths[2]:
        parser.error(f"history lengths must grow: --short-history-days ({lengths[0]}) < "
                     f"--mid-history-days ({lengths[1]}) < --history-days ({lengths[2]}); "
                     "give the shorter ones too when --history-days is short")
    report = run(settings, selected, args.work_dir)
    write_results(report, args.results_dir)
    print()
    print(render_table(report))
    print(f"\nFigures written to {args.results_dir / 'latest.json'} and latest.md")
    return 0


def run(settings: dict, selected: list[str], work_dir: Path) -> dict:
    os.environ["KOLPIPE_DUCKDB_MEMORY_LIMIT"] = settings["memory_limit"]
    os.environ["KOLPIPE_DUCKDB_THREADS"] = str(settings["duckdb_threads"])
    os.environ.pop("KOLPIPE_REGISTRY", None)
    started = time.monotonic()
    history = settings["history_days"]
    last_history_day = END_DATE - timedelta(days=INCREMENTAL_DAYS)
    report: dict = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": machine(), "settings": settings, "stages": {}}
    figures = report["stages"]
    progress(f"bench: {settings['accounts']:,} accounts, {history} days of history + "
              f"{INCREMENTAL_DAYS} incremental days ending {END_DATE}; DuckDB memory_limit "
              f"{settings['memory_limit']}, threads {settings['duckdb_threads']}; "
              f"work dir {work_dir}")

    if NEEDS_LANDING & set(selected):
        progress("1/6 landing zone: generate in bulk (cached by parameters)")
        generated = run_stage("generate", {
            "accounts": settings["accounts"], "days": history + INCREMENTAL_DAYS,
            "end": END_DATE.isoformat(),
            "cache": str(work_dir / "cache"), "memory_limit": settings["memory_limit"]})
        figures["generate"] = generated
        source = Path(generated["root"])
        rows = generated["manifest"]["rows"]
        progress(f"  {'cached' if generated['cached'] else 'generated'}: "
                  f"{sum(v for k, v in rows.items() if k.endswith('/post_metrics')):,} "
                  f"post-metric observations in {generated['manifest']['seconds']}s; skipped "
                  f"entities (landed empty): "
                  f"{', '.join(generated['manifest']['skipped_entities']) or 'none'}")

    homes = work_dir / "homes"
    first_day = last_history_day - timedelta(days=history - 1)
    if "floor" in selected:
        progress(f"2/6 floor: plain DuckDB over {history} days of landed Parquet")
        year = stages.link_landing(source, homes / "floor", first_day, last_history_day)
        figures["floor"] = run_stage("floor", {
            "landing": str(year.landing), "memory_limit": settings["memory_limit"],
            "threads": settings["duckdb_threads"]})

    if "dbt" in selected:
        progress("3/6 dbt fixed cost: dbt build over empty partitions (parse, connect, "
                  "every model and test on no rows)")
        empty = stages.empty_landing(source, homes / "empty", END_DATE)
        figures["dbt_empty"] = _dbt(empty.home, END_DATE)
        for label, days in (("long", history), ("mid", settings["mid_history_days"]),
                            ("short", settings["short_history_days"])):
            start = last_history_day - timedelta(days=days - 1)
            progress(f"4/6 dbt full build over {days} days ({label} history), then "
                      f"{INCREMENTAL_DAYS} more days, one incremental build each")
            paths = stages.link_landing(source, homes / f"history_{days}", start,
                                        last_history_day)
            figures[f"dbt_full_{label}"] = _dbt(paths.home, last_history_day)
            days_run = []
            for offset in range(1, INCREMENTAL_DAYS + 1):
                day = last_history_day + timedelta(days=offset)
                stages.add_days(source, paths, day, day)
                days_run.append(_dbt(paths.home, day))
            figures[f"dbt_incremental_{label}"] = median_run(days_run)

    if "extraction" in selected:
        progress(f"5/6 extraction: the real clients against the sandbox "
                  f"({settings['extract_kols']} KOLs, {settings['rate_per_second']:g} calls/s "
                  "allowed per platform)")
        figures["extraction"] = run_stage("extraction", {
            "home": str(homes / "extraction"), "kols": settings["extract_kols"],
            "rate": settings["rate_per_second"], "date": last_history_day.isoformat()})

    if "dag_parse" in selected:
        progress("6/6 DAG parse: Airflow DagBag load of dags/kol_daily.py")
        figures["dag_parse"] = run_stage("dag_parse", {"home": str(homes / "dag")})

    report["total_seconds"] = round(time.monotonic() - started, 1)
    report["rows"] = table_rows(report)
    return report


def _dbt(home: Path, day: date) -> dict:
    return run_stage("dbt_build", {"home": str(home), "date": day.isoformat()})
