"""``cpconf merge OUT.json IN.json...``: shard reports become one report and one verdict.

The statuses combine as :mod:`conformance.merge` documents (a clause failing
in any shard fails); the table, the failures and the verdict are printed as
``cpconf run`` prints them. Exit 0 when the merged report conforms, 1 when not,
2 when the reports cannot be read or do not belong to one run.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from conformance.commands import usage_error
from conformance.merge import MergeError, junit_xml, merge
from conformance.report.policy import conforms
from conformance.report.rendering import render_failures, render_table, verdict
from conformance.report.results import prepare_outputs, write


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "merge", help="merge shard reports into one report and verdict",
        description="Merge the JSON reports of shards (cpconf fuzz --shard I/N) of one run: a "
        "clause failing in any shard fails. Exit 0 when the result conforms, 1 when not, 2 when "
        "the reports come from different suite or torch versions, implementations or profiles.",
    )
    parser.add_argument("output", type=Path, metavar="OUT.json", help="the merged report")
    parser.add_argument("inputs", type=Path, nargs="+", metavar="IN.json",
                        help="shard reports")
    parser.add_argument("--junit", type=Path, default=None, metavar="PATH",
                        help="also write the merged result as JUnit XML here")
    parser.set_defaults(handler=run)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise MergeError(f"{path}: cannot read a report ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("implementations"), list):
        raise MergeError(f"{path}: not a cpconf report")
    return data


def run(args: argparse.Namespace) -> int:
    try:
        reports = [_read(path) for path in args.inputs]
        merged = merge(reports, [str(path) for path in args.inputs])
    except MergeError as error:
        return usage_error("merge", str(error))
    problem = prepare_outputs({"OUT.json": args.output, "--junit": args.junit})
    if problem is not None:
        return usage_error("merge", problem)
    write(merged, args.output)
    if args.junit is not None:
        args.junit.write_bytes(junit_xml(merged))
    print(render_table(merged))
    failures = render_failures(merged)
    if failures:
        print(failures)
    print(verdict(merged))
    return 0 if conforms(merged) else 1
