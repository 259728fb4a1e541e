"""``cpconf run``: check implementations against every clause; print the table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance import profiles
from conformance.commands.pytest_session import (
    add_layers_option,
    check_layers,
    check_specs,
    pytest_arguments,
    report_path,
    run_pytest,
)
from conformance.report import conforms, verdict

PYTEST_USAGE_ERROR = 4


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run the suite against one or more implementations",
        description="Exit 0 when every MUST clause passes for every implementation, 1 when any "
        "fails or is missing, 2 on usage errors.",
    )
    parser.add_argument("--impl", action="append", required=True, metavar="SPEC",
                        help="reference, torch, an entry-point name, pkg.mod, pkg.mod:attr or "
                        "path/to/impl.py; repeat for a matrix")
    parser.add_argument("--report", type=Path, default=None, metavar="PATH",
                        help="write the JSON report here")
    parser.add_argument("-n", dest="workers", default=None, metavar="N",
                        help="pytest-xdist worker processes (a number or 'auto'; default 1, "
                        "so a crashing implementation costs one test; 0 runs in this process)")
    parser.add_argument("--profile", choices=profiles.NAMES, default=None,
                        help="Hypothesis profile (default: ci under CI=true, else dev)")
    parser.add_argument("--devices", default=None, metavar="LIST",
                        help="comma-separated devices (default: every available one)")
    add_layers_option(parser)
    parser.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                        help="extra pytest arguments, after --")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    problem = check_specs(args.impl) or check_layers(args.layers)
    if problem is not None:
        print(f"cpconf: error: {problem}", file=sys.stderr)
        return 2
    report_file = report_path(args.report)
    arguments = pytest_arguments(
        args.impl, report=report_file, workers=args.workers,
        profile=args.profile, devices=args.devices, extra=args.pytest_args, layers=args.layers,
    )
    code, report = run_pytest(arguments, report_file)
    if code == PYTEST_USAGE_ERROR or report is None:
        return 2
    print(verdict(report))
    print(f"layers covered: {', '.join(report.get('layers', []))}")
    return 0 if conforms(report) else 1
