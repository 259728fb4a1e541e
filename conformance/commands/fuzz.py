"""``cpconf fuzz``: nightly fuzzing with a time budget and a persistent example database.

Every property runs under the ``nightly`` profile, run after run with new
seeds, until the budget ends (``--cp-stop-at``, see :mod:`conformance.fuzzing.slicing`);
the example database in ``--db`` (a directory, or a Redis URL that many
machines share, :mod:`conformance.database`) is replayed first and grows with
every failure found. ``--shard I/N`` runs one share of the properties
(:mod:`conformance.sharding`); ``cpconf merge`` joins the shards' reports.
While it runs, a line per finished property and periodic totals per clause
show examples, examples per second and failures. The JSON
report is ``cpconf run``'s plus examples and cases per clause and a ``fuzz``
section with the budget; every failure carries its minimal example and a
one-line ``reproduce`` command. Exit 0 when nothing failed, 1 when something
did, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conformance import database
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
from conformance.fuzzing.counts import Counts
from conformance.fuzzing.progress import read_progress
from conformance.report.policy import conforms
from conformance.report.rendering import verdict
from conformance.report.results import prepare_outputs, write
from conformance.sharding import Shard

DEFAULT_DB = ".cpconf-db"
FUZZ_BATCH = 512
"""Cases per example in fuzz mode (``--cp-batch`` defaults to one case elsewhere). Hypothesis
costs about half a millisecond per example whatever it checks: over 512 cases that is about
1% of a recipe-built batch's time (2% over 256: benchmarks/throughput.py measured the ratio
1.98 with 256, 1.87 and 1.93 with 512). A failing batch shrinks to its failing case all the
same, replaying at most this many cases per step."""
MAX_WRAP_UP_SECONDS = 3.0


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fuzz", help="fuzz every property for a time budget (nightly)",
        description="Run every property under the nightly profile with new seeds until the "
        "budget ends, replaying and growing an example database. Exit 0 when every MUST clause "
        "passed (failing SHOULD/MAY clauses are listed), 1 when one failed, 2 on usage errors.",
    )
    parser.add_argument("--impl", action="append", required=True, metavar="SPEC",
                        help="implementation to fuzz (as for cpconf run); repeat for a matrix")
    parser.add_argument("--minutes", type=float, default=10.0, metavar="M",
                        help="time budget in minutes, fractions allowed (default 10)")
    add_workers_option(parser)
    parser.add_argument("--db", default=DEFAULT_DB, metavar="DIR|URL",
                        help=f"example database: a directory (default {DEFAULT_DB}) or "
                        "redis://HOST:PORT/N, shared by every process and machine using it")
    parser.add_argument("--db-expire-days", type=float, default=database.DEFAULT_EXPIRE_DAYS,
                        metavar="DAYS", help="a Redis database forgets examples unused for this "
                        f"long (default {database.DEFAULT_EXPIRE_DAYS:g})")
    parser.add_argument("--shard", default=None, metavar="I/N",
                        help="run only shard I of N of the properties (see cpconf merge)")
    parser.add_argument("--report", type=Path, default=None, metavar="PATH",
                        help="write the JSON report here")
    parser.add_argument("--junit", type=Path, default=None, metavar="PATH",
                        help="write a JUnit XML file here")
    parser.add_argument("--expect", default=None, metavar="FILE",
                        help="expectations file (TOML) of clauses known to fail, or the name of "
                        "a shipped one (as for cpconf run)")
    parser.add_argument("--batch", type=int, default=FUZZ_BATCH, metavar="N",
                        help=f"cases per Hypothesis example (default {FUZZ_BATCH})")
    parser.add_argument("--devices", default=None, metavar="LIST",
                        help="comma-separated devices (default: every available one)")
    add_layers_option(parser)
    parser.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                        help="extra pytest arguments, after --")
    parser.set_defaults(handler=run)


def _usage_problem(args: argparse.Namespace) -> str | None:
    if not math.isfinite(args.minutes) or args.minutes <= 0:
        return f"--minutes must be a positive number, not {args.minutes:g}"
    if args.batch < 1:
        return f"--batch must be at least 1, not {args.batch}"
    if args.db_expire_days <= 0:
        return f"--db-expire-days must be positive, not {args.db_expire_days:g}"
    try:
        Shard.parse(args.shard)
    except ValueError as error:
        return str(error)
    # The cheap checks first: a bad --layers or --devices is reported before any
    # implementation is imported.
    problem = (check_layers(args.layers) or check_devices(args.devices)
               or check_specs(args.impl, args.expect))
    if problem is not None:
        return problem
    try:  # a ping, within seconds, before any test runs
        database.check(args.db)
    except database.DatabaseSpecError as error:
        return str(error)
    return prepare_outputs({"--report": args.report, "--junit": args.junit})


def run(args: argparse.Namespace) -> int:
    problem = _usage_problem(args)
    if problem is not None:
        return usage_error("fuzz", problem)
    budget = args.minutes * 60.0
    started = time.time()
    # Properties stop a little early: worker shutdown and the summary take the rest.
    stop_at = started + budget - min(MAX_WRAP_UP_SECONDS, 0.05 * budget)
    if database.is_url(args.db):
        db_spec = args.db
    else:  # the directory exists: database.check made it among the usage checks
        db_spec = str(Path(args.db).resolve())
    report_file = report_path(args.report)
    progress_dir = Path(tempfile.mkdtemp(prefix="cpconf-progress-"))
    extra = ["--cp-stop-at", f"{stop_at:.3f}", "--cp-db", db_spec,
             "--cp-db-expire-days", f"{args.db_expire_days:g}",
             "--cp-batch", str(args.batch), "--cp-progress-dir", str(progress_dir)]
    if args.junit is not None:
        extra += ["--junitxml", str(args.junit)]
    if args.expect is not None:
        extra += ["--cp-expect", args.expect]
    if args.shard is not None:
        extra += ["--cp-shard", args.shard]
    arguments = pytest_arguments(
        args.impl, report=report_file, workers=args.workers, profile="nightly",
        devices=args.devices, extra=[*extra, *args.pytest_args], layers=args.layers,
    )
    print(f"cpconf fuzz: {budget:g} s budget, database {db_spec}, batch {args.batch}"
          + (f", shard {args.shard}" if args.shard else ""), flush=True)
    ticker = _Ticker(progress_dir, started, budget)
    ticker.start()
    try:
        code, report = run_pytest(arguments, report_file)
    finally:
        ticker.stop()
        shutil.rmtree(progress_dir, ignore_errors=True)
    ended = time.time()
    if code == pytest.ExitCode.USAGE_ERROR or report is None:
        return no_report("fuzz", None)
    if code == pytest.ExitCode.INTERRUPTED:
        interrupted("fuzz")
    fuzz = report.setdefault("fuzz", {})
    fuzz.update(minutes=args.minutes, budget_seconds=budget, elapsed_seconds=round(
        ended - started, 3), batch=args.batch, database=db_spec)
    if args.shard is not None:
        report["shard"] = Shard.parse(args.shard).label  # type: ignore[union-attr]
    lost = _database_lost(db_spec)
    if lost is not None:
        fuzz["database_lost"] = lost
        print(f"cpconf fuzz: warning: {lost}; failures found after that were not shared")
    write(report, report_file)
    failing = _failures(report)
    print(f"cpconf fuzz: {fuzz.get('examples', 0)} examples, {fuzz.get('cases', 0)} cases in "
          f"{ended - started:.1f} s (budget {budget:g} s); "
          f"{len(failing)} failing clause(s); report {report_file}")
    for line in failing:
        print(line)
    print(verdict(report))
    # As for cpconf run, only MUST clauses decide; failing SHOULD/MAY clauses are listed above.
    return 0 if conforms(report) else 1


def _database_lost(spec: str) -> str | None:
    """Asked once, after the run: is a shared database still there?"""
    try:
        database.check(spec)
    except database.DatabaseSpecError as error:
        return str(error)
    return None


def _failures(report: dict[str, Any]) -> list[str]:
    """One line per failing clause: which, and the command that fails again."""
    return [
        f"  FAIL {row['id']} ({row['level']}) [{entry['id']}]: {row.get('reproduce', '')}"
        for entry in report["implementations"]
        for row in entry["clauses"]
        if row["status"] == "fail"
    ]


class _Ticker:
    """Prints the running totals the workers write, every few seconds."""

    def __init__(self, directory: Path, started: float, budget: float) -> None:
        self.directory = directory
        self.started = started
        self.budget = budget
        self.interval = min(60.0, max(2.0, budget / 6))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cpconf-fuzz-ticker",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            line = self.line()
            if line:
                print(line, flush=True)

    def line(self) -> str | None:
        totals = read_progress(self.directory)
        if not totals:
            return None
        parts = []
        for key in sorted(totals):
            counts = totals[key]
            clause = key.split("|", 1)[1] if len(self.implementations(totals)) == 1 else key
            parts.append(f"{clause} {counts.examples}ex {counts.rate(counts.examples):.0f}/s"
                         + (f" {counts.failures}F" if counts.failures else ""))
        elapsed = time.time() - self.started
        failures = sum(1 for counts in totals.values() if counts.failures)
        return (f"[fuzz {elapsed:5.0f}/{self.budget:.0f} s, {failures} failing clause(s)] "
                + ", ".join(parts))

    @staticmethod
    def implementations(totals: dict[str, Counts]) -> set[str]:
        return {key.split("|", 1)[0] for key in totals}
