"""The run summary a person can act on: what landed, what was quarantined or failed and why,
which marts were built, where the warehouse is and a query to try."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from kolpipe.core.files import write_json
from kolpipe.core.paths import PLATFORMS, Paths, run_record
from kolpipe.core.paths import paths as default_paths
from kolpipe.publish import MARTS_SCHEMA


def _read(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def day_summary(logical_date: date, paths: Paths | None = None) -> dict:
    paths = paths or default_paths()
    report: dict = {"date": logical_date.isoformat(), "platforms": {}, "rows_landed": 0,
                    "quarantined": 0, "account_problems": {}, "api_calls": 0, "quota_units": 0}
    problems: Counter = Counter()
    for platform in PLATFORMS:
        extract = _read(run_record(paths, "extract", logical_date, f"{platform}.json")) or {}
        checks = _read(run_record(paths, "quality", logical_date, f"{platform}.json")) or {}
        rows = extract.get("rows", {})
        quarantined = extract.get("quarantined", 0) + checks.get("quarantined_total", 0)
        report["platforms"][platform] = {
            "rows": rows, "api_calls": extract.get("api_calls", 0),
            "quota_units": extract.get("quota_units", 0), "quarantined": quarantined,
            "checks_passed": checks.get("passed"), "error": extract.get("error"),
            "account_errors": len(extract.get("account_errors", [])),
            "read_with_grant": len(extract.get("read_with_grant_ids", [])),
            "registered": extract.get("registered_accounts", 0),
        }
        report["rows_landed"] += sum(rows.values())
        report["quarantined"] += quarantined
        report["api_calls"] += extract.get("api_calls", 0)
        report["quota_units"] += extract.get("quota_units", 0)
        problems.update(f"{platform}:{e['kind']}" for e in extract.get("account_errors", []))
    report["account_problems"] = dict(sorted(problems.items()))
    gate = _read(run_record(paths, "gate", logical_date, "result.json")) or {}
    report["gate"] = {"counts": gate.get("counts", {}),
                      "reason_counts": gate.get("reason_counts", {}),
                      "stale_overrides": gate.get("stale_overrides", []),
                      "override_problems": gate.get("override_problems", [])}
    report["stale_platforms"] = (_read(run_record(paths, "freshness", logical_date))
                                 or {}).get("stale", {})
    report["marts"] = mart_counts(paths)
    report["warehouse"] = str(paths.published)
    write_json(run_record(paths, "summary", logical_date), report)
    return report


def mart_counts(paths: Paths) -> dict[str, int]:
    import duckdb

    if not paths.published.exists():
        return {}
    with duckdb.connect(str(paths.published), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name", [MARTS_SCHEMA]).fetchall()
        return {name: con.execute(f'select count(*) from {MARTS_SCHEMA}."{name}"').fetchone()[0]
                for (name,) in tables}


def render(reports: list[dict], paths: Paths | None = None) -> str:
    paths = paths or default_paths()
    if not reports:
        return "No days were run."
    lines = [f"KOL pipeline: {len(reports)} day(s) run, "
             f"{reports[0]['date']} .. {reports[-1]['date']}", "",
             "Rows landed per platform (accounts / posts / post_metrics), last day:"]
    last = reports[-1]
    for platform, info in last["platforms"].items():
        rows = info["rows"]
        status = "FAILED: " + info["error"] if info.get("error") else (
            "checks passed" if info.get("checks_passed") else "checks not run")
        lines.append(f"  {platform:<10} {rows.get('accounts', 0):>6} / {rows.get('posts', 0):>6}"
                     f" / {rows.get('post_metrics', 0):>6}   {info['api_calls']:>5} API calls, "
                     f"{info['quota_units']:>5} quota units, {info['quarantined']} quarantined, "
                     f"{status}")
    total_rows = sum(r["rows_landed"] for r in reports)
    lines.append(f"  days run through Airflow: {total_rows} rows landed, "
                 f"{sum(r['quarantined'] for r in reports)} quarantined")
    consented = {p: i["read_with_grant"] for p, i in last["platforms"].items()
                 if i.get("read_with_grant")}
    if consented:
        lines += ["", "Access, last day (docs/access.md): accounts read with the creator's "
                  "consent (first-party data) and the rest as public data:"]
        lines += [f"  {p:<10} {n:>4} with consent, {last['platforms'][p]['registered'] - n:>4} "
                  "public" for p, n in consented.items()]
    lines += ["", "Accounts not extracted (or, for not_connected and consent_*, read as public "
              "data instead) on the last day, by platform and reason:"]
    lines += [f"  {key:<24} {n}" for key, n in last["account_problems"].items()] or ["  none"]
    if last.get("stale_platforms"):
        lines += ["", "Platforms not extracted on the last day (stale in the marts): "
                  + ", ".join(f"{p} ({state})" for p, state in last["stale_platforms"].items())]
    gate = last.get("gate") or {}
    if gate.get("counts"):
        counts = gate["counts"]
        lines += ["", "Account gate, last day: " + ", ".join(
            f"{counts.get(v, 0)} {v}" for v in ("pass", "review", "fail"))]
        lines += [f"  {code:<24} {n} account(s)"
                  for code, n in sorted(gate["reason_counts"].items(), key=lambda kv: -kv[1])]
        if gate.get("stale_overrides"):
            lines.append(f"  overrides ignored (evidence changed): "
                         f"{', '.join(gate['stale_overrides'])}")
        lines += [f"  overrides.csv line left out: {problem}"
                  for problem in gate.get("override_problems", [])]
    lines += ["", f"Marts in {last['warehouse']}:"]
    lines += [f"  {name:<24} {n:>8} rows" for name, n in last["marts"].items()] or ["  none"]
    lines += ["", f"Parquet exports: {paths.exports / 'latest'}",
              f"Run records: {paths.runs}", "",
              "Try:", f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect("
              f"'{last['warehouse']}', read_only=True).sql('select platform, tier, count(*) "
              f"accounts, median(followers) from marts.dim_account group by all order by "
              f"all'))\""]
    return "\n".join(lines)
