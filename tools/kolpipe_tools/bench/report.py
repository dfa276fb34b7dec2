"""The bench's report: one row per figure with its target and verdict, rendered as a table
(printed) and as Markdown and JSON (bench/results/latest.*)."""

from __future__ import annotations

import json
from pathlib import Path


def median_run(runs: list[dict]) -> dict:
    """The run of median time, with every run's seconds and the largest peak memory."""
    middle = dict(sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2])
    middle["each_seconds"] = [r["seconds"] for r in runs]
    middle["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return middle


def table_rows(report: dict) -> list[dict]:
    """One row per figure: value, unit, target, ratio to the target and verdict; warehouse
    figures also as a multiple of the floor."""
    figures = report["stages"]
    floor = figures.get("floor", {}).get("seconds")
    rows: list[dict] = []

    def add(figure: str, value: float | None, unit: str, target: float | None = None,
            target_text: str = "", higher_is_better: bool = False, times_floor: bool = False):
        if value is None:
            return
        ratio = None
        if target:
            ratio = round(value / target, 3)
        verdict = ""
        if target is not None:
            met = value >= target if higher_is_better else value <= target
            verdict = "pass" if met else "miss"
        rows.append({"figure": figure, "value": value, "unit": unit, "target": target_text,
                     "ratio": ratio, "verdict": verdict,
                     "x_floor": round(value / floor, 2) if times_floor and floor else None})

    generated = figures.get("generate", {})
    manifest = generated.get("manifest", {})
    if manifest:
        landed = manifest["rows"]
        add("landed post-metric observations",
            sum(v for k, v in landed.items() if k.endswith("/post_metrics")), "rows")
        add("landed rows, all tables", sum(landed.values()), "rows")
        add("generation (0 when cached)", 0.0 if generated["cached"] else manifest["seconds"],
            "s")
    add("floor: DuckDB read + aggregate by account-day", floor, "s", times_floor=True)

    empty = figures.get("dbt_empty", {}).get("seconds")
    add("dbt fixed cost (empty build)", empty, "s", times_floor=True)
    full = figures.get("dbt_full_long", {}).get("seconds")
    if full is not None and empty is not None and floor is not None:
        add("dbt full build, long history", full, "s", empty + 5 * floor,
            "<= fixed + 5x floor", times_floor=True)
    incremental = figures.get("dbt_incremental_long", {}).get("seconds")
    if incremental is not None and full is not None:
        add("dbt incremental day, long history", incremental, "s", 0.1 * full,
            "<= 10% of full build", times_floor=True)
    short_full = figures.get("dbt_full_short", {}).get("seconds")
    add("dbt full build, short history", short_full, "s", times_floor=True)
    short_incremental = figures.get("dbt_incremental_short", {}).get("seconds")
    add("dbt incremental day, short history", short_incremental, "s", times_floor=True)
    if incremental is not None and short_incremental:
        add("incremental day long / short history", round(incremental / short_incremental, 3),
            "x", 1.2, "<= 1.2 (within 20%)")
    mid_incremental = figures.get("dbt_incremental_mid", {}).get("seconds")
    add("dbt incremental day, mid history", mid_incremental, "s", times_floor=True)
    if incremental is not None and mid_incremental:
        # past the longest trailing window (the gate's 60-day evidence) a day reads as much
        # at any history length: what still grows here is what grows with history itself
        add("incremental day long / mid history", round(incremental / mid_incremental, 3), "x")

    extraction = figures.get("extraction", {})
    for platform, f in extraction.get("platforms", {}).items():
        add(f"{platform}: API calls per account-day", f["calls_per_account_day"], "calls",
            f["minimum_per_account_day"] * 1.1,
            f"<= 1.1x minimum {f['minimum_per_account_day']:.3f}")
        add(f"{platform}: quota units per account-day",
            round(f["quota_units"] / max(1, f["accounts"]), 3), "units")
        add(f"{platform}: calls/s vs {f['allowed_per_second']:g} allowed",
            f["calls_per_second"], "calls/s", 0.8 * f["allowed_per_second"],
            ">= 80% of allowed", higher_is_better=True)
        add(f"{platform}: HTTP 429 responses", f["throttled_429"], "count",
            max(1.0, 0.01 * f["api_calls"]), "<= 1% of calls")

    dag = figures.get("dag_parse", {})
    add("DAG file parse (DagBag)", dag.get("seconds"), "s", 1.0, "< 1 s")

    budget_mb = 24 * 1024
    for name, stage in figures.items():
        if "peak_rss_mb" in stage:
            add(f"peak memory: {name}", stage["peak_rss_mb"], "MB", budget_mb, "<= 24 GiB")
    add("bench wall time", report.get("total_seconds"), "s", 1800, "< 30 min")
    return rows


def _format(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def render_table(report: dict) -> str:
    header = ("figure", "value", "unit", "x floor", "target", "ratio", "verdict")
    lines = [header] + [
        (r["figure"], _format(r["value"]), r["unit"], _format(r["x_floor"]), r["target"],
         _format(r["ratio"]), r["verdict"]) for r in report["rows"]]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = ["  ".join(str(cell).ljust(widths[i]) if i in (0, 2, 4, 6) else
                     str(cell).rjust(widths[i]) for i, cell in enumerate(line)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"# kolpipe bench, {report['started_at']}", "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}, DuckDB {m['duckdb']}, dbt-core {m['dbt_core']}; "
        f"load average at start {m['load_average_at_start']:.1f}.", "",
        f"Settings: {json.dumps(report['settings'])}", "",
        "| figure | value | unit | x floor | target | ratio | verdict |",
        "|---|--:|---|--:|---|--:|---|",
    ]
    for r in report["rows"]:
        lines.append(f"| {r['figure']} | {_format(r['value'])} | {r['unit']} | "
                     f"{_format(r['x_floor'])} | {r['target']} | {_format(r['ratio'])} | "
                     f"{r['verdict']} |")
    builds = {name: s for name, s in report["stages"].items() if s.get("node_seconds")}
    if builds:
        lines += ["", "Where each dbt build's time went (run_results.json execution_time in s; "
                  "the rest of the wall time is import, parse and connect), slowest nodes:", ""]
        for name, build in builds.items():
            days = (f" (median of days taking {', '.join(map(str, build['each_seconds']))} s)"
                    if "each_seconds" in build else "")
            lines.append(f"- {name} ({build['seconds']} s{days}): {build['node_seconds']}; "
                         + ", ".join(
                f"{n['node'].split('.')[-1]} {n['seconds']}" for n in build["slowest_nodes"]))
    return "\n".join(lines) + "\n"


def write_results(report: dict, results_dir: Path) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "latest.json").write_text(json.dumps(report, indent=2, default=str))
    (results_dir / "latest.md").write_text(render_markdown(report))
