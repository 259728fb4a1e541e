"""``cpconf run``: check implementations against every clause; print the table."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance import expectations, profiles
from conformance.commands import interrupted, no_report, usage_error
from conformance.commands.pytest_session import (
    add_layers_option,
    add_workers_option,
    check_devices,
    check_layers,
    check_specs,
    pytest_arguments,
    report_path,
    run_pytest,
)
from conformance.progress import FamilyProgress
from conformance.report.policy import conforms
from conformance.report.rendering import render_failures, render_table, verdict
from conformance.report.results import prepare_outputs


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run the suite against one or more implementations",
        description="Exit 0 when every applicable MUST clause ran and passed (or failed as "
        "expected) for every implementation, 1 otherwise, 2 on usage errors. Derandomized "
        "by default: the same implementation gets the same report on every run.",
    )
    parser.add_argument("--impl", action="append", required=True, metavar="SPEC",
                        help="reference, torch, an entry-point name, pkg.mod, pkg.mod:attr or "
                        "path/to/impl.py; repeat for a matrix")
    parser.add_argument("--report", type=Path, default=None, metavar="PATH",
                        help="write the JSON report here")
    parser.add_argument("--junit", type=Path, default=None, metavar="PATH",
                        help="write a JUnit XML file here")
    parser.add_argument("--expect", default=None, metavar="FILE",
                        help="expectations file (TOML) of clauses known to fail, or the name of "
                        f"a shipped one ({', '.join(expectations.shipped())})")
    add_workers_option(parser)
    parser.add_argument("--profile", choices=profiles.NAMES, default=None,
                        help="Hypothesis profile (default: ci, derandomized; dev and nightly "
                        "explore randomly)")
    parser.add_argument("--seed", type=int, default=None, metavar="N",
                        help="explore randomly from this seed at the profile's budget "
                        "(default: derandomized)")
    parser.add_argument("--devices", default=None, metavar="LIST",
                        help="comma-separated devices (default: every available one)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show pytest's own output instead of saving it beside the report")
    add_layers_option(parser)
    parser.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                        help="extra pytest arguments, after --")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # The cheap checks first: a bad --layers or --devices is reported before any
    # implementation is imported.
    problem = (check_layers(args.layers) or check_devices(args.devices)
               or check_specs(args.impl, args.expect)
               or prepare_outputs({"--report": args.report, "--junit": args.junit}))
    if problem is not None:
        return usage_error("run", problem)
    report_file = report_path(args.report)
    extra: list[str] = []
    if args.seed is not None:
        extra.append(f"--hypothesis-seed={args.seed}")
    if args.expect is not None:
        extra += ["--cp-expect", args.expect]
    if args.junit is not None:
        extra += ["--junitxml", str(args.junit)]
    arguments = pytest_arguments(
        args.impl, report=report_file, workers=args.workers,
        profile=args.profile, devices=args.devices, extra=[*extra, *args.pytest_args],
        layers=args.layers,
    )
    log = None
    if args.verbose:
        code, report = run_pytest([*arguments, "-v"], report_file)
    else:
        log = report_file.with_name(report_file.stem + ".pytest.log")
        progress = FamilyProgress(sys.stdout)
        with log.open("w") as stream, contextlib.redirect_stdout(stream):
            code, report = run_pytest(arguments, report_file, plugins=[progress])
    if code == pytest.ExitCode.USAGE_ERROR or report is None:
        return no_report("run", log)
    if code == pytest.ExitCode.INTERRUPTED:
        interrupted("run")
    if not args.verbose:
        print()
        print(render_table(report))
        failures = render_failures(report)
        if failures:
            print()
            print(failures)
        print(f"\npytest output: {log}")
    print(verdict(report))
    return 0 if conforms(report) else 1
