"""The `kolpipe` script: the product's commands (kolpipe.cli) and the tools' commands.

  kolpipe demo                       the embedded default end to end (README's first command)
  kolpipe sandbox serve|registry|labels
  kolpipe run FIRST [LAST] --sandbox the DAG through the embedded Airflow on the sandbox world
  kolpipe gate benchmark             fail verdicts against the sandbox's ground truth
  kolpipe bench [--quick]            the performance benchmark (`make bench`; --help for options)
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from kolpipe import cli
from kolpipe_tools.sandbox.constants import DEFAULT_SEED


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # the bench has its own options (kolpipe_tools.bench.run)
        from kolpipe_tools.bench.run import main as bench

        return bench(argv[1:])
    parser, groups, commands, handlers = cli.build_parser()
    parser.description = f"{cli.__doc__}\n{__doc__}"
    subparsers = groups["kolpipe"]

    demo = subparsers.add_parser("demo", help="sandbox world -> Airflow DAG runs -> summary")
    demo.add_argument("--kols", type=int, default=200, help="KOLs in the sandbox world")
    # 35: the lifecycle stage needs a 30-day growth, so at least 31 landed days.
    demo.add_argument("--history-days", type=int, default=35,
                      help="days of history bootstrapped in bulk before the Airflow runs")
    demo.add_argument("--airflow-days", type=int, default=1,
                      help="last days run through Airflow (`airflow dags test`)")
    demo.add_argument("--end", type=date.fromisoformat, default=None,
                      help="last logical date (default: yesterday, UTC)")
    demo.add_argument("--port", type=int, default=8765, help="sandbox port on 127.0.0.1")

    sandbox = subparsers.add_parser("sandbox", help="the simulated platforms")
    sandbox.add_argument("action", choices=("serve", "registry", "labels"))
    sandbox.add_argument("--kols", type=int, default=200)
    sandbox.add_argument("--seed", type=int, default=DEFAULT_SEED)
    sandbox.add_argument("--port", type=int, default=8765)

    run = commands["run"]
    run.add_argument("--sandbox", action="store_true",
                     help="extract from the sandbox world (as the demo does) instead of the "
                          "connections in AIRFLOW_CONN_KOL_<PLATFORM>")
    run.add_argument("--kols", type=int, default=200, help="sandbox KOLs (with --sandbox)")
    run.add_argument("--port", type=int, default=8765, help="sandbox port (with --sandbox)")

    benchmark = groups["gate"].add_parser(
        "benchmark", help="fail verdicts vs the sandbox's ground truth over a window")
    benchmark.add_argument("--kols", type=int, default=200)
    benchmark.add_argument("--seed", type=int, default=DEFAULT_SEED)
    benchmark.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30))
    benchmark.add_argument("--window-days", type=int, default=60)
    benchmark.add_argument("--reuse-landing", action="store_true",
                           help="score the landing zone already under KOLPIPE_HOME")

    product_gate = handlers["gate"]
    handlers.update({
        "demo": _demo, "sandbox": _sandbox, "run": _run,
        "gate": lambda args: _gate_benchmark(args) if args.action == "benchmark"
        else product_gate(args)})
    return cli.dispatch(parser, handlers, argv)


def _demo(args: argparse.Namespace) -> int:
    from kolpipe_tools.demo import run_demo

    return run_demo(args)


def _run(args: argparse.Namespace) -> int:
    from kolpipe_tools.sandbox.serve import sandbox_process

    if not args.sandbox:
        return cli.run_days(args)
    return cli.run_days(args, around=lambda: sandbox_process(args.kols, args.port))


def _gate_benchmark(args: argparse.Namespace) -> int:
    from kolpipe.core.paths import paths
    from kolpipe_tools.evaluate import gate as gate_evaluation

    return gate_evaluation.main(paths(), args.kols, args.seed, args.end, args.window_days,
                                args.reuse_landing)


def _sandbox(args: argparse.Namespace) -> int:
    from kolpipe import registry
    from kolpipe_tools.demo import write_labels
    from kolpipe_tools.sandbox.world import World

    world = World(args.kols, args.seed)
    if args.action == "serve":
        from kolpipe_tools.sandbox.serve import serve_forever

        serve_forever(world, args.port)  # the same as python -m kolpipe_tools.sandbox.serve
    elif args.action == "registry":
        sys.stdout.write(registry.dump(world.kols()))
    else:
        write_labels(world, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
