"""``cpconf mutants``: run the self-validation catalogue and print the kill matrix.

One pytest session checks every mutant and every alternate of
:mod:`conformance.catalogue` as a matrix (one ``--cp-impl`` each). A mutant
is *killed* when its ``BREAKS`` clause fails and *survives* when that clause passes;
when the clause did not run at all (blocked, missing API, not applicable, not run) the
mutant is neither, and the matrix says ``NOT-RUN`` and why. A mutant whose clause is
in a layer ``--layers`` leaves out is not run (the output names it). An alternate
*passes* when no clause fails and only its declared clauses are missing API. Examples- and
seconds-to-first-failure come from :mod:`conformance.killclock` (a
:mod:`conformance.failure_clock` per test call: executed examples counted up to
the first failing one).
Exit 0 only when every mutant that runs is killed on its clause and every alternate
passes. Ctrl-C ends the session it hits and starts no other (no further profile, no
further seed); what no session reached is NOT-RUN.
A mutant whose clause only one profile checks (``PROFILE``: E-8 is ``nightly``'s)
runs in a second, targeted session under that profile (its report beside the
main one, ``REPORT.nightly.json``), so the matrix judges every clause.

``--seeds N`` (or ``--seeds 1,7,42``) measures kill *probability* instead: one
session per seed, each under the chosen profile's budget (``ci`` by default:
100 examples) with ``--hypothesis-seed`` set (which turns ``ci`` into its
seeded twin: derandomization and the example database off), then a table of kills out of
N per mutant, weakest first. Exit 0 only when every mutant is killed under
every seed and no alternate fails under any.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import layers as test_layers
from conformance import profiles
from conformance.catalogue import Entry, entries
from conformance.commands import EXIT_USAGE, interrupted, no_report, usage_error
from conformance.commands.pytest_session import (
    add_layers_option,
    add_workers_option,
    check_layers,
    pytest_arguments,
    report_path,
    run_pytest,
)
from conformance.report.results import prepare_outputs

MUTANT_RUN_DEADLINE = 2.0
"""``--cp-deadline`` of a catalogue run: the deadlocking mutant must fail fast."""
SEEDS_PROFILE = "ci"
"""The budget ``--seeds`` measures at: the default run's (``ci``: 100 examples)."""


@dataclass(frozen=True)
class Verdict:
    """What the run said about one catalogued implementation."""

    name: str
    kind: str
    expected: str
    ok: bool
    failed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    examples_to_kill: int | None = None
    seconds_to_kill: float | None = None
    problems: tuple[str, ...] = field(default=())
    ran: bool = True
    """False when the run could not judge the entry: a mutant whose clause did not run
    (neither killed nor survived), an alternate some of whose clauses did not run."""

    @property
    def word(self) -> str:
        """A mutant's verdict in the matrix: killed, SURVIVED or NOT-RUN."""
        return "killed" if self.ok else "SURVIVED" if self.ran else "NOT-RUN"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mutants", help="check that every mutant is caught and every alternate passes",
        description="Exit 0 when every mutant in conformance.mutants fails on the clause its "
        "BREAKS names and every module in conformance.alternates passes; 1 otherwise; 2 on "
        "usage errors.",
    )
    parser.add_argument("--profile", choices=profiles.NAMES, default=None,
                        help="Hypothesis profile (default: ci under CI=true, else dev)")
    add_workers_option(parser)
    parser.add_argument("--report", type=Path, default=None, metavar="PATH",
                        help="write the JSON conformance report (all implementations) here")
    parser.add_argument("--matrix", type=Path, default=None, metavar="PATH",
                        help="write the kill matrix as JSON here")
    parser.add_argument("--deadline", type=float, default=MUTANT_RUN_DEADLINE, metavar="SECONDS",
                        help=f"--cp-deadline for the run (default {MUTANT_RUN_DEADLINE:g}: the "
                        "deadlocking mutant must fail fast)")
    parser.add_argument("--shrink", action="store_true",
                        help="let Hypothesis shrink each failure (slower; default: report the "
                        "first failing example as found)")
    parser.add_argument("--targeted", action="store_true",
                        help="run each mutant only against the properties of the clause it "
                        "breaks (fast; 'caught by' then shows that clause alone)")
    parser.add_argument("--seeds", type=parse_seeds, default=None, metavar="N|S1,S2,...",
                        help="measure kills over seeds: N random seeds, or the listed ones "
                        "(one seed: '42,'); derandomization and the database off, the "
                        f"profile's budget (default {SEEDS_PROFILE}); prints kills out of N "
                        "per mutant, weakest first")
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        help="check only these catalogue modules (repeatable)")
    parser.add_argument("--show-pytest", action="store_true",
                        help="print pytest's own output instead of saving it next to the report")
    add_layers_option(parser)
    parser.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                        help="extra pytest arguments, after --")
    parser.set_defaults(handler=run)


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"20"``: twenty fresh random seeds; ``"1,7,42"`` (or ``"42,"``): exactly those."""
    words = [word.strip() for word in text.split(",")]
    try:
        if len(words) == 1:
            count = int(words[0])
            if count < 1:
                raise argparse.ArgumentTypeError(f"need at least one seed, got {count}")
            chooser = random.SystemRandom()
            return tuple(chooser.randrange(2**32) for _ in range(count))
        seeds = tuple(int(word) for word in words if word)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a count or comma-separated integer seeds, got {text!r}") from None
    if not seeds or any(seed < 0 for seed in seeds):
        raise argparse.ArgumentTypeError(f"seeds must be non-negative integers, got {text!r}")
    return tuple(dict.fromkeys(seeds))


@dataclass(frozen=True)
class SeedRow:
    """One catalogued implementation over every seed: how often it was judged right."""

    name: str
    kind: str
    expected: str
    ok: int
    runs: int
    missed: tuple[int, ...]  # the seeds under which it survived (mutant) or failed (alternate)
    problems: tuple[str, ...] = ()
    not_run: tuple[int, ...] = ()  # the seeds under which it could not be judged
    not_run_why: tuple[str, ...] = ()


def tally(per_seed: Mapping[int, Sequence[Verdict]]) -> list[SeedRow]:
    """Per implementation: right verdicts out of the seeds; mutants weakest first, then
    alternates with the most false positives first (ties by name)."""
    by_name: dict[str, list[tuple[int, Verdict]]] = {}
    for seed, verdicts in per_seed.items():
        for verdict in verdicts:
            by_name.setdefault(verdict.name, []).append((seed, verdict))
    rows = []
    for name, pairs in by_name.items():
        first = pairs[0][1]
        missed = tuple(seed for seed, verdict in pairs if verdict.ran and not verdict.ok)
        not_run = tuple(seed for seed, verdict in pairs if not verdict.ran)
        problems = tuple(dict.fromkeys(p for _, verdict in pairs for p in verdict.problems
                                       if verdict.ran))
        why = tuple(dict.fromkeys(p for _, verdict in pairs for p in verdict.problems
                                  if not verdict.ran))
        rows.append(SeedRow(name, first.kind, first.expected,
                            sum(verdict.ok for _, verdict in pairs), len(pairs), missed,
                            problems, not_run, why))
    return sorted(rows, key=lambda row: (row.kind != "mutant", row.ok - row.runs, row.name))


def render_seeds(rows: Sequence[SeedRow], seeds: Sequence[int], profile: str,
                 gated: Mapping[str, str] | None = None) -> str:
    """The kills-out-of-N table; ``gated`` names the entries judged under another profile
    (the only one that checks their clause) and that profile."""
    under = "".join(f", {name} under {other}" for name, other in (gated or {}).items())
    lines = [f"kills over {len(seeds)} seeds (profile {profile}{under}, derandomize off; "
             f"seeds {','.join(map(str, seeds))})"]
    width = max([len(row.name) for row in rows] + [9])
    lines.append(f"{'mutant'.ljust(width)}  breaks  kills    survived under seeds")
    for row in rows:
        if row.kind == "mutant":
            kills = f"{row.ok}/{row.runs}"
            lines.append(f"{row.name.ljust(width)}  {row.expected.split()[-1].ljust(6)}  "
                         f"{kills.ljust(7)}  {','.join(map(str, row.missed)) or '-'}"
                         f"{_not_run_note(row)}")
    lines.append("")
    lines.append(f"{'alternate'.ljust(width)}  passes   failed under seeds")
    for row in rows:
        if row.kind == "alternate":
            passes = f"{row.ok}/{row.runs}"
            detail = ",".join(map(str, row.missed)) or "-"
            if row.problems:
                detail += f" ({'; '.join(row.problems)})"
            lines.append(f"{row.name.ljust(width)}  {passes.ljust(7)}  {detail}"
                         f"{_not_run_note(row)}")
    mutants = [row for row in rows if row.kind == "mutant"]
    always = sum(row.ok == row.runs for row in mutants)
    false_positives = sum(len(row.missed) for row in rows if row.kind == "alternate")
    lines.append("")
    lines.append(f"killed under every seed: {always}/{len(mutants)} mutants; "
                 f"false positives {false_positives} over {len(seeds)} seeds")
    return "\n".join(lines)


def _not_run_note(row: SeedRow) -> str:
    """The seeds under which an entry was not judged, and why ("" when it always was)."""
    if not row.not_run:
        return ""
    return f"; NOT-RUN under {','.join(map(str, row.not_run))} ({'; '.join(row.not_run_why)})"


def _rows(report: Mapping[str, Any], spec: str) -> list[dict[str, Any]]:
    for entry in report["implementations"]:
        if entry["spec"] == spec:
            return list(entry["clauses"])
    return []


def _first_kill(rows: Sequence[Mapping[str, Any]], clause_id: str | None,
                records: Sequence[Mapping[str, Any]],
                implementation: str) -> tuple[int | None, float | None]:
    """Fewest examples and seconds to a failure of ``clause_id`` (any clause if None)."""
    tests = {
        failure["test"]
        for row in rows if row["status"] == "fail" and clause_id in (None, row["id"])
        for failure in row.get("failures", [])
    }
    kills = [record for record in records
             if record["implementation"] == implementation and record["nodeid"] in tests
             and "examples_to_failure" in record]
    if not kills:
        return None, None
    return (min(int(record["examples_to_failure"]) for record in kills),
            min(float(record["seconds_to_failure"]) for record in kills))


def judge(entry: Entry, report: Mapping[str, Any],
          records: Sequence[Mapping[str, Any]]) -> Verdict:
    """Compare one implementation's clause rows with what its module declares."""
    rows = _rows(report, entry.spec)
    failed = tuple(row["id"] for row in rows if row["status"] == "fail")
    missing = tuple(row["id"] for row in rows if row["status"] == "missing-api")
    if entry.kind == "mutant":
        target = next((row for row in rows if row["id"] == entry.breaks), None)
        status = "absent" if target is None else target["status"]
        if status not in ("pass", "fail"):  # nothing ran that could kill it, or miss it
            reason = "" if target is None or not target.get("reason") else \
                f": {target['reason']}"
            return Verdict(entry.name, entry.kind, _expected(entry), False, failed, missing,
                           problems=(f"{entry.breaks} {status}{reason}",), ran=False)
        killed = status == "fail"
        examples, seconds = _first_kill(rows, entry.breaks if killed else None, records,
                                        entry.spec)
        return Verdict(entry.name, entry.kind, _expected(entry), killed, failed, missing,
                       examples, seconds,
                       () if killed else (f"{entry.breaks} not caught",))
    problems = [f"{clause_id} failed" for clause_id in failed]
    allowed = set(entry.expected_missing) | set(entry.may_be_missing)
    problems += [f"{clause_id} missing-api" for clause_id in missing if clause_id not in allowed]
    status = {row["id"]: row["status"] for row in rows}
    unrun = [row["id"] for row in rows if row["status"] == "not-run"]
    # A clause that did not run (not reached, or of a layer --layers left out) cannot be
    # judged missing.
    unjudged = {*unrun, *(row["id"] for row in rows if str(row.get("reason", "")).startswith(
        test_layers.NOT_SELECTED))}
    problems += [f"{clause_id} {status.get(clause_id, 'absent')}, expected missing-api"
                 for clause_id in entry.expected_missing
                 if status.get(clause_id) != "missing-api" and clause_id not in unjudged]
    if not rows:
        problems.append("no results")
    if unrun and not problems:  # nothing wrong found, but not everything was checked
        return Verdict(entry.name, entry.kind, _expected(entry), False, failed, missing,
                       problems=(f"{', '.join(unrun)} not-run",), ran=False)
    return Verdict(entry.name, entry.kind, _expected(entry), not problems, failed, missing,
                   problems=tuple(problems))


def _expected(entry: Entry) -> str:
    """What the matrix expects of ``entry``: its clause failing, or passing (partial: with its
    declared clauses missing API)."""
    if entry.kind == "mutant":
        return f"fails {entry.breaks}"
    return ("missing-api " + ",".join(entry.expected_missing)) if entry.partial else "conforms"


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def summary(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """Kill rate, false positives and the distribution of examples/seconds to kill."""
    mutants = [v for v in verdicts if v.kind == "mutant"]
    alternates = [v for v in verdicts if v.kind == "alternate"]
    examples = [v.examples_to_kill for v in mutants if v.ok and v.examples_to_kill is not None]
    seconds = [v.seconds_to_kill for v in mutants if v.ok and v.seconds_to_kill is not None]
    return {
        "mutants": len(mutants),
        "killed_on_target": sum(v.ok for v in mutants),
        "caught_anywhere": sum(bool(v.failed) for v in mutants),
        "not_run": sum(not v.ran for v in verdicts),
        "alternates": len(alternates),
        "false_positives": sum(v.ran and not v.ok for v in alternates),
        "examples_to_kill": {"median": statistics.median(examples) if examples else None,
                             "worst": max(examples) if examples else None},
        "seconds_to_kill": {"median": statistics.median(seconds) if seconds else None,
                            "worst": max(seconds) if seconds else None},
    }


def render(verdicts: Sequence[Verdict], totals: Mapping[str, Any]) -> str:
    lines = []
    mutants = [v for v in verdicts if v.kind == "mutant"]
    width = max([len(v.name) for v in verdicts] + [6])
    lines.append(f"{'mutant'.ljust(width)}  breaks  {'caught by'.ljust(24)}  examples  seconds  "
                 "verdict")
    for v in mutants:
        caught = ",".join(v.failed) or "-"
        lines.append(
            f"{v.name.ljust(width)}  {v.expected.split()[-1].ljust(6)}  {caught[:24].ljust(24)}  "
            f"{_number(v.examples_to_kill).rjust(8)}  {_number(v.seconds_to_kill).rjust(7)}  "
            + v.word + ("" if v.ran else f" ({'; '.join(v.problems)})")
        )
    lines.append("")
    lines.append(f"{'alternate'.ljust(width)}  expected / got")
    for v in verdicts:
        if v.kind != "alternate":
            continue
        got = "pass" if v.ok else ("FAIL: " if v.ran else "NOT-RUN: ") + "; ".join(v.problems)
        missing = f" (missing-api: {','.join(v.missing)})" if v.missing else ""
        lines.append(f"{v.name.ljust(width)}  {v.expected}: {got}{missing}")
    ex, sec = totals["examples_to_kill"], totals["seconds_to_kill"]
    not_run = (f"; {totals['not_run']} NOT-RUN: not judged either way"
               if totals["not_run"] else "")
    lines.append("")
    lines.append(
        f"kill rate {totals['killed_on_target']}/{totals['mutants']} on the targeted clause "
        f"({totals['caught_anywhere']} caught on some clause); false positives "
        f"{totals['false_positives']}/{totals['alternates']}; examples to kill median "
        f"{_number(ex['median'], 1)} worst {_number(ex['worst'])}; seconds to kill median "
        f"{_number(sec['median'])} worst {_number(sec['worst'])}{not_run}"
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        catalogue = entries()
    except (ImportError, TypeError) as error:
        return usage_error("mutants", f"broken catalogue: {error}")
    problem = check_layers(args.layers)
    if problem is not None:
        return usage_error("mutants", problem)
    if args.only:
        unknown = set(args.only) - {entry.name for entry in catalogue}
        if unknown:
            return usage_error("mutants", f"not in the catalogue: {', '.join(sorted(unknown))}")
        catalogue = tuple(entry for entry in catalogue if entry.name in args.only)
    # A mutant whose clause the layers leave out could be neither killed nor survive.
    selected = test_layers.parse(args.layers)
    outside = [entry.name for entry in catalogue if entry.kind == "mutant"
               and test_layers.layer_of(str(entry.breaks)) not in selected]
    why = f"the clauses they break are outside --layers {','.join(selected)}"
    if outside and len(outside) == len(catalogue):
        return usage_error("mutants", f"nothing to run: {why}")
    catalogue = tuple(entry for entry in catalogue if entry.name not in outside)
    problem = prepare_outputs({"--report": args.report, "--matrix": args.matrix})
    if problem is not None:
        return usage_error("mutants", problem)
    if outside:
        print(f"not run, {why}: {', '.join(outside)}", flush=True)
    report_file = report_path(args.report)
    if args.seeds is not None:
        return _run_seeds(args, catalogue, report_file)
    judged = _verdicts(args, catalogue, report_file, args.profile, [])
    if judged is None:
        return EXIT_USAGE
    verdicts, stopped = judged
    if stopped:
        interrupted("mutants", UNREACHED)
    totals = summary(verdicts)
    print(render(verdicts, totals))
    if args.matrix:
        args.matrix.write_text(json.dumps(
            {"summary": totals, "verdicts": [asdict(v) for v in verdicts]}, indent=2) + "\n")
    return 0 if all(v.ok for v in verdicts) else 1


def _run_seeds(args: argparse.Namespace, catalogue: Sequence[Entry], report_file: Path) -> int:
    """One session per seed, then the kills-out-of-N table."""
    profile = args.profile or SEEDS_PROFILE
    per_seed: dict[int, list[Verdict]] = {}
    for seed in args.seeds:
        seeded = report_file.with_name(f"{report_file.stem}.seed-{seed}{report_file.suffix}")
        judged = _verdicts(args, catalogue, seeded, profile, [f"--hypothesis-seed={seed}"])
        if judged is None:
            return EXIT_USAGE
        verdicts, stopped = judged
        per_seed[seed] = verdicts
        kills = sum(v.ok for v in verdicts if v.kind == "mutant")
        print(f"seed {seed}: {kills}/{sum(v.kind == 'mutant' for v in verdicts)} killed",
              flush=True)
        if stopped:  # no further seed: the table covers the seeds that ran
            interrupted("mutants", UNREACHED)
            break
    rows = tally(per_seed)
    gated = {entry.name: other for entry in catalogue
             if (other := _own_profile(entry, profile)) is not None}
    print(render_seeds(rows, tuple(per_seed), profile, gated))
    if args.matrix:
        args.matrix.write_text(json.dumps(
            {"profile": profile, "gated_profiles": gated, "seeds": list(args.seeds),
             "rows": [asdict(r) for r in rows],
             "per_seed": {str(seed): [asdict(v) for v in verdicts]
                          for seed, verdicts in per_seed.items()}}, indent=2) + "\n")
    return 0 if all(row.ok == row.runs for row in rows) else 1


def _own_profile(entry: Entry, profile: str | None) -> str | None:
    """The profile ``entry`` is judged under in a run under ``profile``: its own where its
    clause needs one the run's is not, else None (the run's)."""
    return entry.profile if entry.profile not in (None, profile or profiles.DEFAULT) else None


def _verdicts(args: argparse.Namespace, catalogue: Sequence[Entry], report_file: Path,
              profile: str | None, seeding: Sequence[str]) -> tuple[list[Verdict], bool] | None:
    """Every entry's verdict, in catalogue order: one session under ``profile``, plus one
    targeted session per other profile some mutant's clause needs (``Entry.profile``);
    and whether the user stopped a session (Ctrl-C), after which none starts and the
    entries no session reached are NOT-RUN. None when a session wrote no report."""
    groups: dict[str | None, list[Entry]] = {}
    for entry in catalogue:
        groups.setdefault(_own_profile(entry, profile), []).append(entry)
    judged: dict[str, Verdict] = {}
    for needs, members in groups.items():
        if needs is None:
            session = _session(args, members, report_file, profile, seeding)
        else:
            gated = report_file.with_name(f"{report_file.stem}.{needs}{report_file.suffix}")
            # Targeted whatever --targeted says (such a profile's budget is large), with its
            # own example database beside the report.
            session = _session(args, members, gated, needs,
                               [*seeding, "--cp-db", str(gated.with_suffix(".db"))],
                               targeted=True)
        if session is None:
            return None
        verdicts, stopped = session
        judged.update((verdict.name, verdict) for verdict in verdicts)
        if stopped:
            return [judged.get(entry.name) or _unreached(entry) for entry in catalogue], True
    return [judged[entry.name] for entry in catalogue], False


UNREACHED = "the mutants and alternates the run did not reach are NOT-RUN"


def _unreached(entry: Entry) -> Verdict:
    """The verdict of an entry whose session never started: the run was interrupted."""
    return Verdict(entry.name, entry.kind, _expected(entry), False,
                   problems=("not reached: the run was interrupted",), ran=False)


def _session(args: argparse.Namespace, catalogue: Sequence[Entry], report_file: Path,
             profile: str | None, seeding: Sequence[str],
             targeted: bool = False) -> tuple[list[Verdict], bool] | None:
    """One pytest session over ``catalogue``: its verdicts and whether the user stopped it
    (Ctrl-C: pytest ends the session with what ran), or None when it wrote no report."""
    kill_log = report_file.with_name(report_file.stem + ".kills.json")
    arguments = pytest_arguments(
        [entry.spec for entry in catalogue], report=report_file, workers=args.workers,
        profile=profile, devices=None, layers=args.layers,
        extra=["-p", "conformance.killclock", "--cp-kill-log", str(kill_log),
               "--cp-deadline", str(args.deadline), "-q", *seeding,
               *([] if args.shrink else ["--cp-no-shrink"]),
               *(["--cp-targeted-mutants"] if args.targeted or targeted else []),
               *args.pytest_args],
    )
    log = None
    if args.show_pytest:
        code, report = run_pytest(arguments, report_file)
    else:
        log = report_file.with_name(report_file.stem + ".pytest.log")
        with log.open("w") as stream, contextlib.redirect_stdout(stream):
            code, report = run_pytest(arguments, report_file)
        print(f"pytest output: {log}")
    if code == pytest.ExitCode.USAGE_ERROR or report is None:
        no_report("mutants", log)
        return None
    records = json.loads(kill_log.read_text()) if kill_log.exists() else []
    return ([judge(entry, report, records) for entry in catalogue],
            code == pytest.ExitCode.INTERRUPTED)
