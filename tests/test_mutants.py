"""``cpconf mutants``: the catalogue's registry, and the command on a sample of it.

The whole catalogue (every mutant caught on its clause, every alternate passing,
under the default run) is the self-validation step of the test command (README,
CI: ``cpconf mutants --targeted -n 2``), a session of a few minutes; it exits 1 on
any survivor or false positive. The nightly template runs it under fresh seeds.
Here one ``cpconf mutants --targeted`` run (one process, ``ci`` profile, ``-n 0``:
what follows the deadlock runs in the very process it left a thread stuck in)
runs a :data:`SAMPLE` that exercises every path of the command:
a deadlock, bit-level failures, a mutant whose clause only the nightly profile
checks, a partial alternate. The registry tests need no run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import hypothesis.core
import pytest

from conformance import catalogue, clauses, cli
from conformance.commands.mutants import (
    Verdict,
    judge,
    parse_seeds,
    render,
    render_seeds,
    summary,
    tally,
)

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 2.0
DEADLOCK = "x_deadlock_on_reentry"

MUTANTS = catalogue.mutants()
ALTERNATES = catalogue.alternates()
SAMPLE = (DEADLOCK, "c3_signed_zero", "g1_scaled", "e8_wrong_under_inductor",
          "torch24_partial")
"""The catalogue entries the command is tested on (see the module docstring)."""
SAMPLED_MUTANTS = [entry for entry in MUTANTS if entry.name in SAMPLE]
SAMPLED_ALTERNATES = [entry for entry in ALTERNATES if entry.name in SAMPLE]


def _catalogue_run(out: Path) -> dict[str, Any]:
    """Run ``cpconf mutants`` once over :data:`SAMPLE`, in ``out``."""
    env = dict(os.environ, CI="true",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "mutants", "--profile", "ci", "-n", "0",
         "--targeted", "--deadline", str(DEADLINE), "--report", str(out / "report.json"),
         "--matrix", str(out / "matrix.json"),
         *(arg for name in SAMPLE for arg in ("--only", name))],
        cwd=out, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert (out / "matrix.json").exists(), result.stdout + result.stderr
    matrix = json.loads((out / "matrix.json").read_text())
    report = json.loads((out / "report.json").read_text())
    # A mutant of a clause only one profile checks (E-8: nightly) ran in its own session,
    # reported beside: REPORT.PROFILE.json.
    gated = [path for path in out.glob("report.*.json") if path.stem.count(".") == 1
             and not path.stem.endswith(".kills")]
    assert [path.name for path in gated] == ["report.nightly.json"], gated
    for path in gated:
        report["implementations"] += json.loads(path.read_text())["implementations"]
    return {
        "code": result.returncode,
        "stdout": result.stdout,
        "report": report,
        "verdicts": {v["name"]: v for v in matrix["verdicts"]},
        "summary": matrix["summary"],
    }


def _rows(run: dict[str, Any], spec: str) -> dict[str, str]:
    for entry in run["report"]["implementations"]:
        if entry["spec"] == spec:
            return {row["id"]: row["status"] for row in entry["clauses"]}
    raise AssertionError(f"{spec} is not in the report")


# -- registry self-tests (no run) ------------------------------------------------


def test_every_breakable_clause_has_a_mutant() -> None:
    """MUST, SHOULD and MAY clauses each have a mutant; INFO rows record behaviour and
    cannot be broken."""
    targeted = {entry.breaks for entry in MUTANTS}
    uncovered = [c.id for c in clauses.CLAUSES if c.level != "INFO" and c.id not in targeted]
    assert not uncovered, f"clauses without a mutant: {uncovered}"


def test_every_mutant_names_a_known_clause() -> None:
    unknown = {entry.name: entry.breaks for entry in MUTANTS if entry.breaks not in clauses.BY_ID}
    assert not unknown


@pytest.mark.parametrize("entry", [*MUTANTS, *ALTERNATES], ids=lambda e: e.name)
def test_module_documents_itself(entry: catalogue.Entry) -> None:
    assert entry.summary, f"{entry.spec} has no docstring"
    if entry.kind == "mutant":
        assert entry.breaks is not None and entry.breaks in entry.summary


def test_partial_alternate_declares_switch_clauses() -> None:
    partial = [entry for entry in ALTERNATES if entry.partial]
    assert partial
    for entry in partial:
        assert set(entry.expected_missing) <= set(clauses.BY_ID)


# -- the catalogue run ------------------------------------------------------------------


@pytest.mark.parametrize("arguments", [
    ["--only", "no_such_mutant"], ["--layers", "speed"],
    ["--only", "e4_copies_under_compile", "--layers", "unit"],  # its clause would not run
], ids=["unknown mutant", "unknown layer", "nothing in the layers"])
def test_usage_errors_exit_2(arguments: list[str], tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """Found before any session runs, in argparse's form."""
    assert cli.main(["mutants", "--report", str(tmp_path / "r.json"), *arguments]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("cpconf mutants: error: "), errors
    assert not list(tmp_path.iterdir())


def test_the_sample_covers_every_kind_of_entry() -> None:
    assert len(SAMPLED_MUTANTS) + len(SAMPLED_ALTERNATES) == len(SAMPLE)
    assert any(entry.profile for entry in SAMPLED_MUTANTS)
    assert any(entry.partial for entry in SAMPLED_ALTERNATES)


@pytest.mark.process
def test_the_command_judges_every_path_of_the_sample(tmp_path: Path) -> None:
    """One run of the command (one process, as a user runs it), every check on its result:
    each in its own function below, so a failure names what broke."""
    run = _catalogue_run(tmp_path)
    for entry in SAMPLED_MUTANTS:
        _check_mutant_fails_on_its_clause(run, entry)
    for entry in SAMPLED_ALTERNATES:
        if entry.partial:
            _check_partial_module_reports_missing_api(run, entry)
    _check_deadlock_fails_within_the_bound(run)
    _check_exit_code_matches_the_matrix(run)
    for name, clause in (("c3_signed_zero", "C-3"), ("g1_scaled", "G-1")):
        _check_bit_level_failure_shows_the_first_differing_bits(run, name, clause)


def _check_mutant_fails_on_its_clause(run: dict[str, Any], entry: catalogue.Entry) -> None:
    rows = _rows(run, entry.spec)
    failed = sorted(clause_id for clause_id, status in rows.items() if status == "fail")
    assert entry.breaks in failed, f"{entry.name} breaks {entry.breaks}; failed: {failed}"
    assert run["verdicts"][entry.name]["ok"], entry.name


def _check_partial_module_reports_missing_api(run: dict[str, Any],
                                              entry: catalogue.Entry) -> None:
    rows = _rows(run, entry.spec)
    assert {c: rows[c] for c in entry.expected_missing} == dict.fromkeys(
        entry.expected_missing, "missing-api")
    others = {c: s for c, s in rows.items()
              if c not in entry.expected_missing and c not in entry.may_be_missing}
    assert "fail" not in rows.values(), rows
    assert all(status in ("pass", "not-applicable") for status in others.values()), others
    assert all(rows[c] in ("pass", "missing-api") for c in entry.may_be_missing)


def _check_deadlock_fails_within_the_bound(run: dict[str, Any]) -> None:
    verdict = run["verdicts"][DEADLOCK]
    assert verdict["ok"], verdict
    assert verdict["seconds_to_kill"] is not None
    spec = next(entry.spec for entry in MUTANTS if entry.name == DEADLOCK)
    entry = next(e for e in run["report"]["implementations"] if e["spec"] == spec)
    messages = [failure["message"] for row in entry["clauses"]
                for failure in row.get("failures", [])]
    within = re.compile(rf"within {DEADLINE:g} ?s")
    assert any(within.search(message) for message in messages), messages
    # the run went on after the hang: the alternate checked after it has its own results
    (after,) = SAMPLED_ALTERNATES
    assert _rows(run, after.spec) and run["verdicts"][after.name]["ok"]


def _check_exit_code_matches_the_matrix(run: dict[str, Any]) -> None:
    everything_ok = all(v["ok"] for v in run["verdicts"].values())
    assert run["code"] == (0 if everything_ok else 1), run["stdout"]
    assert "kill rate" in run["stdout"]


def _check_bit_level_failure_shows_the_first_differing_bits(
    run: dict[str, Any], name: str, clause: str
) -> None:
    """C-3 and G-1 failures name the element and both bit patterns."""
    spec = f"conformance.mutants.{name}"
    entry = next(e for e in run["report"]["implementations"] if e["spec"] == spec)
    (row,) = [row for row in entry["clauses"] if row["id"] == clause]
    messages = [failure["message"] for failure in row["failures"]]
    assert any("first difference at index" in message and "0x" in message
               for message in messages), messages


@pytest.mark.parametrize(("status", "word"), [
    ("fail", "killed"), ("pass", "SURVIVED"), ("blocked", "NOT-RUN"), ("not-run", "NOT-RUN"),
    ("not-applicable", "NOT-RUN"),
])
def test_a_mutant_is_judged_only_on_a_clause_that_ran(status: str, word: str) -> None:
    """Killed when its clause failed, survived when it passed. When the clause did not run
    (blocked by another clause, not reached, not applicable) nothing could have caught the
    mutant: the matrix says NOT-RUN and why, never SURVIVED, and it is no kill."""
    entry = next(entry for entry in MUTANTS if entry.name == "c3_signed_zero")
    reason = "blocked by P-1" if status == "blocked" else ""
    rows = [{"id": "P-1", "level": "MUST", "status": "fail" if status == "blocked" else "pass"},
            {"id": "C-3", "level": "MUST", "status": status, "reason": reason}]
    verdict = judge(entry, {"implementations": [{"spec": entry.spec, "clauses": rows}]}, [])
    assert (verdict.word, verdict.ok, verdict.ran) == (word, status == "fail", word != "NOT-RUN")
    totals = summary([verdict])
    assert (totals["killed_on_target"], totals["not_run"]) == (
        int(status == "fail"), int(word == "NOT-RUN"))
    text = render([verdict], totals)
    line = next(line for line in text.splitlines() if line.startswith("c3_signed_zero "))
    if word == "NOT-RUN":
        assert line.endswith(f"NOT-RUN (C-3 {status}{': ' + reason if reason else ''})"), line
        assert text.splitlines()[-1].endswith("; 1 NOT-RUN: not judged either way")
    else:
        assert line.endswith(word) and "NOT-RUN" not in text, text


def test_an_alternate_not_wholly_checked_is_not_run_not_a_pass() -> None:
    """No failure on the clauses that ran is no pass when some did not run; a failure is
    a false positive whatever else did not run."""
    entry = next(entry for entry in ALTERNATES if not entry.partial)
    rows = [{"id": "A-1", "level": "MUST", "status": "pass"},
            {"id": "C-3", "level": "MUST", "status": "not-run"}]
    unchecked = judge(entry, {"implementations": [{"spec": entry.spec, "clauses": rows}]}, [])
    assert (unchecked.ok, unchecked.ran, unchecked.problems) == (False, False, ("C-3 not-run",))
    rows[0]["status"] = "fail"
    failing = judge(entry, {"implementations": [{"spec": entry.spec, "clauses": rows}]}, [])
    assert (failing.ok, failing.ran, failing.problems) == (False, True, ("A-1 failed",))
    totals = summary([unchecked, failing])
    assert (totals["false_positives"], totals["not_run"]) == (1, 1)
    lines = render([unchecked], summary([unchecked])).splitlines()
    assert f"{entry.name}  conforms: NOT-RUN: C-3 not-run" in lines, lines


INTERRUPTER = """
def pytest_runtest_call(item):
    raise KeyboardInterrupt
"""


@pytest.mark.parametrize("mode", ["one run", "seeds"])
def test_ctrl_c_stops_the_whole_command(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C in a session (a plugin raises KeyboardInterrupt as the first property runs)
    starts no further session, neither the nightly one E-8's mutant needs nor the next
    seed's; the matrix shows what was reached, the rest NOT-RUN, and the run fails."""
    (tmp_path / "interrupter.py").write_text(INTERRUPTER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    forced_before = hypothesis.core.global_force_seed
    seeds = ["--seeds", "3,4"] if mode == "seeds" else []
    code = cli.main(["mutants", "-n", "0", "--only", "c3_signed_zero", "--only",
                     "e8_wrong_under_inductor", "--report", str(tmp_path / "r.json"), *seeds,
                     "--", "-p", "interrupter"])
    assert code == 1
    # --hypothesis-seed forced Hypothesis's seed process-wide: given back, so a later run
    # in this process is derandomized again, with its example database
    assert hypothesis.core.global_force_seed == forced_before
    out, err = capsys.readouterr()
    assert "cpconf mutants: interrupted: the mutants and alternates the run did not reach " \
        "are NOT-RUN" in err
    assert out.count("pytest output:") == 1, out  # one session started, no other
    assert not list(tmp_path.glob("r*.nightly.json"))
    if mode == "seeds":
        assert "seed 3: 0/2 killed" in out and "seed 4" not in out, out
        assert "kills over 1 seeds" in out and "NOT-RUN under 3" in out, out
    else:
        e8 = next(line for line in out.splitlines() if line.startswith("e8_wrong_under_inductor"))
        assert e8.endswith("NOT-RUN (not reached: the run was interrupted)"), e8
        c3 = next(line for line in out.splitlines() if line.startswith("c3_signed_zero"))
        assert c3.endswith("NOT-RUN (C-3 not-run)"), c3


def test_the_seeds_table_tells_a_clause_that_did_not_run_from_a_survivor() -> None:
    killed = Verdict("m", "mutant", "fails C-4", True)
    survived = Verdict("m", "mutant", "fails C-4", False, problems=("C-4 not caught",))
    skipped = Verdict("m", "mutant", "fails C-4", False, problems=("C-4 blocked: by P-1",),
                      ran=False)
    (row,) = tally({1: [killed], 2: [survived], 3: [skipped]})
    assert (row.ok, row.runs, row.missed, row.not_run) == (1, 3, (2,), (3,))
    table = render_seeds([row], (1, 2, 3), "ci").splitlines()
    line = next(line for line in table if line.startswith("m "))
    assert line.split()[1:3] == ["C-4", "1/3"]
    assert line.endswith("2; NOT-RUN under 3 (C-4 blocked: by P-1)"), line
    assert table[-1].startswith("killed under every seed: 0/1 mutants")


# -- kill probability over seeds (--seeds) -------------------------------------------------


def test_parse_seeds_count_draws_distinct_fresh_seeds() -> None:
    seeds = parse_seeds("5")
    assert len(seeds) == 5
    assert all(0 <= seed < 2**32 for seed in seeds)


@pytest.mark.parametrize(("text", "expected"), [
    ("1,7,42", (1, 7, 42)), ("42,", (42,)), (" 3, 3 ,9", (3, 9)),
])
def test_parse_seeds_explicit_list(text: str, expected: tuple[int, ...]) -> None:
    assert parse_seeds(text) == expected


@pytest.mark.parametrize("text", ["0", "-2", "a,b", ",", "1,-1", "x"])
def test_parse_seeds_rejects(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_seeds(text)


def _verdict(name: str, ok: bool, kind: str = "mutant") -> Verdict:
    expected = "fails C-4" if kind == "mutant" else "conforms"
    problems = () if ok else (("C-4 not caught",) if kind == "mutant" else ("C-1 failed",))
    return Verdict(name, kind, expected, ok, problems=problems)


def test_tally_counts_kills_and_orders_weakest_first() -> None:
    per_seed = {
        1: [_verdict("strong", True), _verdict("weak", False), _verdict("mid", True),
            _verdict("alt", True, "alternate")],
        2: [_verdict("strong", True), _verdict("weak", False), _verdict("mid", False),
            _verdict("alt", False, "alternate")],
        3: [_verdict("strong", True), _verdict("weak", True), _verdict("mid", True),
            _verdict("alt", True, "alternate")],
    }
    rows = tally(per_seed)
    assert [(row.name, row.ok, row.runs, row.missed) for row in rows] == [
        ("weak", 1, 3, (1, 2)), ("mid", 2, 3, (2,)), ("strong", 3, 3, ()), ("alt", 2, 3, (2,)),
    ]
    table = render_seeds(rows, (1, 2, 3), "ci")
    lines = table.splitlines()
    assert "kills over 3 seeds" in lines[0] and "seeds 1,2,3" in lines[0]
    weak = next(line for line in lines if line.startswith("weak "))
    assert weak.split()[1:4] == ["C-4", "1/3", "1,2"]
    assert lines.index(weak) < lines.index(next(x for x in lines if x.startswith("strong ")))
    assert any(line.startswith("alt ") and "2/3" in line and "C-1 failed" in line
               for line in lines)
    assert lines[-1] == ("killed under every seed: 1/3 mutants; false positives 1 over 3 "
                         "seeds")
    # an entry judged under the one profile that checks its clause is named in the header
    gated = render_seeds(rows, (1, 2, 3), "ci", {"weak": "nightly"}).splitlines()[0]
    assert "(profile ci, weak under nightly, derandomize off;" in gated, gated


@pytest.mark.process
def test_seeds_command_reports_kills_per_seed(tmp_path: Path) -> None:
    """One real ``--seeds`` run over two fixed seeds and two mutants whose conditions the
    sweeps reach on every seed: 2/2 each, exit 0, the seeds recorded in the matrix."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT),
                                                       os.environ.get("PYTHONPATH", "")]))
    env.pop("CI", None)
    names = ["p5_channels_last", "c6_same_width_reinterpret"]
    result = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "mutants", "--targeted", "--seeds", "3,11",
         "-n", "0",
         "--report", str(tmp_path / "report.json"), "--matrix", str(tmp_path / "matrix.json"),
         *[arg for name in names for arg in ("--only", name)]],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    matrix = json.loads((tmp_path / "matrix.json").read_text())
    assert matrix["seeds"] == [3, 11] and matrix["profile"] == "ci"
    assert matrix["gated_profiles"] == {}  # neither mutant needs another profile
    assert {row["name"]: (row["ok"], row["runs"]) for row in matrix["rows"]} == {
        name: (2, 2) for name in names}
    assert (tmp_path / "report.seed-3.json").exists()
    assert (tmp_path / "report.seed-11.json").exists()
    assert "killed under every seed: 2/2 mutants" in result.stdout
