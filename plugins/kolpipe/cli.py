"""kolpipe: the product's commands (the `kolpipe` script adds the tools' commands: demo,
sandbox, bench, gate benchmark; see kolpipe_tools.cli).

  kolpipe extract PLATFORM DATE      one platform's extraction for one date, as the DAG runs it
  kolpipe summary DATE
  kolpipe run FIRST [LAST]           the DAG through the embedded Airflow (date or backfill)
  kolpipe warehouse parse            write the dbt manifest the DAG renders its dbt tasks from
  kolpipe gate run DATE | override ACCOUNT_KEY ...
  kolpipe fake-followers score INPUT.csv OUTPUT.csv | evaluate LABELLED.csv
  kolpipe creators link|connect PLATFORM KOL_ID ... | status   creator-authorized access
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.core.paths import paths as default_paths
from kolpipe.core.progress import progress

# A command's handler: takes the parsed arguments, returns the exit code.
Handler = Callable[[argparse.Namespace], int]


def main(argv: list[str] | None = None) -> int:
    parser, _, _, handlers = build_parser()
    return dispatch(parser, handlers, argv)


def dispatch(parser: argparse.ArgumentParser, handlers: dict[str, Handler],
             argv: list[str] | None = None) -> int:
    """Run the command. Whatever it raises is one line on stderr, secrets masked: exit 2 for
    bad input (a value, a file, a connection, or an error caused by one), 1 for anything else;
    --debug re-raises."""
    from kolpipe.core import secrets
    from kolpipe.core.connections import ConnectionMissing

    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        cause = exc.__cause__  # e.g. a platform stopped by its unusable connection
        bad_input = isinstance(exc, (ValueError, OSError, ConnectionMissing)) or isinstance(
            cause, (ValueError, ConnectionMissing))
        line = f"error: {exc}" if bad_input else (
            f"error: {type(exc).__name__}: {exc} (kolpipe --debug ... shows the traceback)")
        print(secrets.redact(line), file=sys.stderr)
        return 2 if bad_input else 1


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Any],
                            dict[str, argparse.ArgumentParser], dict[str, Handler]]:
    """The parser; where commands are added ("kolpipe": the commands, "gate": the gate's
    actions); each command's parser by name; each command's handler. The tools add their
    commands, actions and options to these."""
    parser = argparse.ArgumentParser(prog="kolpipe", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an error instead of one line")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("extract", help="extract and land one platform for one date")
    one.add_argument("platform", choices=PLATFORMS)
    one.add_argument("date", type=logical_date)

    summary = commands.add_parser("summary", help="print the run summary of a date")
    summary.add_argument("date", type=logical_date)

    run = commands.add_parser(
        "run", help="run the DAG through the embedded Airflow for a date or a range (backfill)")
    run.add_argument("first", type=logical_date)
    run.add_argument("last", type=logical_date, nargs="?",
                     help="last date of a backfill (default: just FIRST)")

    dbt = commands.add_parser("warehouse", help="the dbt project")
    dbt.add_argument("action", choices=("parse",),
                     help="parse: write the manifest the DAG renders its dbt tasks from")

    gate = commands.add_parser("gate", help="the account gate: verdicts, overrides")
    gate_actions = gate.add_subparsers(dest="action", required=True)
    gate_run = gate_actions.add_parser("run", help="judge every account for a date")
    gate_run.add_argument("date", type=logical_date)
    override = gate_actions.add_parser("override", help="overrule an account's verdict")
    override.add_argument("account_key", help="<platform>:<account_id>, e.g. x:1400007727")
    override.add_argument("--verdict", required=True, choices=("pass", "review", "fail"))
    override.add_argument("--reason", required=True)
    override.add_argument("--by", required=True, help="who decides")

    followers = commands.add_parser("fake-followers", help="score follower profiles as fake")
    follower_actions = followers.add_subparsers(dest="action", required=True)
    score = follower_actions.add_parser(
        "score", help="add fake_probability, fields_used and confidence to a profile CSV")
    score.add_argument("input", type=Path,
                       help="CSV with the profile columns; an empty cell means unknown")
    score.add_argument("output", type=Path, help="the same rows plus the score columns")
    measure = follower_actions.add_parser(
        "evaluate", help="AUC, Brier score and reliability on a labelled profile CSV")
    measure.add_argument("input", type=Path,
                         help="CSV with the profile columns and is_fake (1 or 0)")

    creators = commands.add_parser(
        "creators", help="creator-authorized access: the consent link, connecting, status")
    creator_actions = creators.add_subparsers(dest="action", required=True)
    for name, text in (("link", "print the page a creator opens to connect an account"),
                       ("connect", "store the grant from the code the consent returned")):
        action = creator_actions.add_parser(name, help=text)
        action.add_argument("platform", choices=("tiktok", "instagram", "youtube"))
        action.add_argument("kol_id")
        action.add_argument("--redirect-uri", required=True,
                            help="the redirect URI registered with the platform app")
        if name == "connect":
            action.add_argument("--code", required=True, help="the code in the redirect")
    creator_actions.add_parser("status", help="every authorized account's grant, no tokens")

    commands_by_name = {"extract": one, "summary": summary, "run": run, "warehouse": dbt,
                        "gate": gate, "fake-followers": followers, "creators": creators}
    handlers: dict[str, Handler] = {
        "extract": run_extract, "summary": run_summary, "run": run_days,
        "warehouse": run_warehouse, "gate": run_gate_command,
        "fake-followers": run_fake_followers, "creators": run_creators}
    return (parser, {"kolpipe": commands, "gate": gate_actions,
                     "fake-followers": follower_actions, "creators": creator_actions},
            commands_by_name, handlers)


def logical_date(text: str) -> date:
    """A command line's date: ISO 8601, and one a run may have (core/dates.py)."""
    from kolpipe.core.dates import DateOutOfRange, check_logical_date

    try:
        return check_logical_date(date.fromisoformat(text.strip()))
    except DateOutOfRange as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD"
                                         ) from None


def run_extract(args: argparse.Namespace) -> int:
    from kolpipe import land

    result = land.land_platform(args.platform, args.date)
    print({k: result[k] for k in ("rows", "quarantined", "api_calls", "quota_units")})
    for problem in result["account_errors"]:
        print(f"  {problem['kind']}: {problem['message']}")
    return 0


def run_summary(args: argparse.Namespace) -> int:
    from kolpipe.report import summary as summaries

    print(summaries.render([summaries.day_summary(args.date)]))
    return 0


def run_warehouse(args: argparse.Namespace) -> int:
    from kolpipe import build

    print(f"manifest written: {build.parse()}")
    return 0


def run_days(args: argparse.Namespace, around: Callable | None = None) -> int:
    """One `airflow dags test` per date, in order; stops at the first failed date. `around`,
    if given, is a context manager the runs happen inside (the tools' sandbox)."""
    from contextlib import nullcontext

    from kolpipe import local_airflow

    first, last = args.first, args.last or args.first
    if last < first:
        print(f"error: the last date {last} is before the first {first}", file=sys.stderr)
        return 2
    missing = [f"AIRFLOW_CONN_KOL_{p.upper()}" for p in PLATFORMS
               if f"AIRFLOW_CONN_KOL_{p.upper()}" not in os.environ]
    if missing and around is None:
        print(f"error: no platform connection in {', '.join(missing)}. Set them (README, "
              f"Configuration), or pass --sandbox to extract from the sandbox world.",
              file=sys.stderr)
        return 2
    paths = default_paths()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    progress("preparing Airflow (metadata DB, pools, dbt manifest)")
    local_airflow.prepare(paths)
    with around() if around else nullcontext():
        return run_through_airflow(days, paths)


def run_fake_followers(args: argparse.Namespace) -> int:
    from kolpipe.score import evaluate, score_csv

    if args.action == "evaluate":
        print(evaluate.render(args.input, evaluate.evaluate_csv(args.input)))
        return 0
    rows = score_csv(args.input, args.output)
    print(f"{rows} profiles scored -> {args.output}")
    return 0


def run_gate_command(args: argparse.Namespace) -> int:
    from kolpipe import gate

    if args.action == "run":
        result = gate.run_gate(args.date)
        print(f"{args.date}: {result.counts}; verdicts in {result.verdicts_path}")
        for account in result.gated:
            print(f"  {account['verdict']:<7}{account['account_key']}: "
                  f"{'; '.join(account['reasons'])}")
        return 0
    if args.action == "override":
        recorded = gate.record_override(args.account_key, args.verdict, args.reason, args.by)
        print(f"override recorded: {recorded.account_key} -> {recorded.verdict} (applies until "
              f"the evidence changes; file {gate.overrides_path(default_paths())})")
        return 0
    return 2


def run_creators(args: argparse.Namespace) -> int:
    """Grants go to Airflow Variables in the metadata DB of the AIRFLOW_HOME in force."""
    from kolpipe.extract import onboarding
    from kolpipe.extract.grants import AirflowGrants

    if args.action == "status":
        for row in onboarding.status_rows(AirflowGrants()):
            print("  ".join(f"{k}={v}" for k, v in row.items()))
        return 0
    account = onboarding.find_account(args.platform, args.kol_id)
    if args.action == "link":
        print(onboarding.link(args.platform, account, args.redirect_uri))
        return 0
    grant = onboarding.connect(args.platform, account, args.code, args.redirect_uri,
                               AirflowGrants())
    ends = (f"{grant.consent_expires_at:%Y-%m-%d}" if grant.consent_expires_at
            else "it is revoked")
    print(f"connected {args.platform} {args.kol_id}: access token until "
          f"{grant.expires_at:%Y-%m-%d %H:%M} UTC, consent until {ends}")
    return 0


def run_through_airflow(days: list[date], paths: Paths) -> int:
    """`airflow dags test` per date in order, then the summary; stops at the first failure."""
    from kolpipe import local_airflow
    from kolpipe.report import summary

    for day in days:
        progress(f"airflow dags test {local_airflow.DAG_ID} {day} ...")
        ok, seconds, log_file = local_airflow.dags_test(day, paths, show=progress)
        progress(f"  {'succeeded' if ok else 'FAILED'} in {seconds:.0f}s (log: {log_file})")
        if not ok:
            print("\n".join(log_file.read_text(errors="replace").splitlines()[-40:]))
            return 1
    print()
    print(summary.render([summary.day_summary(day, paths) for day in days], paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
