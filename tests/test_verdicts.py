"""Honest verdicts: statuses, expectations, one outcome per bug, bounded calls."""

from __future__ import annotations

import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance import expectations
from conformance.deadline import (
    ImplementationHang,
    call_with_deadline,
    describe_call,
    journal_calls_to,
    read_journal,
)
from conformance.outcomes import _bugs, _example_and_blob
from conformance.violation import ClauseViolation
from tests.conftest import TORCH_2_4, load_report, run_cpconf

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import ExceptionGroup


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "expect.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(("text", "problem"), [
    ("[torch\n", "not valid TOML"),
    ('[torch.X-99]\nreason = "r"\n', "unknown clause 'X-99'"),
    ('[torch.S-10]\nreason = "r"\nwhen = "always"\n', "unknown keys ['when']"),
    ("[torch.S-10]\nlink = 'x'\n", "a non-empty reason is required"),
    ('[torch.S-10]\nreason = "r"\ntorch = "newest"\n', "not a PEP 440 version range"),
    ('torch = "S-10"\n', "must be a table of clause IDs"),
])
def test_a_malformed_expectations_file_is_a_clear_error(tmp_path: Path, text: str,
                                                        problem: str) -> None:
    with pytest.raises(expectations.ExpectationsError, match=re.escape(problem)):
        expectations.load(_write(tmp_path, text))


def test_the_shipped_torch_file_lists_s10_for_the_torch_versions_with_the_switch() -> None:
    loaded = expectations.load("torch")
    assert [(e.spec, e.clause_id) for e in loaded] == [("torch", "S-10")]
    assert expectations.by_spec(loaded, "2.13.0+cpu") == {"torch": {"S-10": loaded[0].reason}}
    assert expectations.by_spec(loaded, "2.4.1") == {}
    with pytest.raises(expectations.ExpectationsError, match="shipped: torch"):
        expectations.load("no-such-name")


def test_every_distinct_bug_keeps_its_own_example_and_blob() -> None:
    bugs = []
    for clause_id, blob in (("C-3", "AAA="), ("G-1", "BBB=")):
        error = ClauseViolation(clause_id, "x", "y")
        error.__notes__ = [f"Falsifying example: {clause_id}",
                           f"@reproduce_failure('6.170.17', b'{blob}')"]
        bugs.append(error)
    found = _bugs(ExceptionGroup("Hypothesis found 2 distinct failures.", bugs))
    assert [_example_and_blob(bug) for bug in found] == [
        ("Falsifying example: C-3", "6.170.17:AAA="), ("Falsifying example: G-1", "6.170.17:BBB="),
    ]


def test_a_bounded_call_gives_back_an_outer_interval_timer() -> None:
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert call_with_deadline(5.0, "quick()", lambda: 42) == 42
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < left <= 30.0, "the outer timer was disarmed or reset"
        assert signal.getsignal(signal.SIGALRM) is not None
        with pytest.raises(ImplementationHang, match=r"slow\(\) did not return within 0.05 s"):
            call_with_deadline(0.05, "slow()", lambda: signal.pause())
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


def test_the_journal_names_a_call_only_while_the_process_is_inside_it(tmp_path: Path) -> None:
    """A crash reads the journal to name the call it happened in: a call that raised is
    over, so a crash after it must not be blamed on it."""
    journal = str(tmp_path / "journal")
    journal_calls_to(journal)
    try:
        seen: list[str] = []
        call_with_deadline(5.0, "inside()", lambda: seen.append(read_journal(journal)))
        assert seen == ["inside()"] and read_journal(journal) == ""
        with pytest.raises(ValueError):
            call_with_deadline(5.0, "raises()", lambda: int("x"))
        assert read_journal(journal) == ""
    finally:
        journal_calls_to(None)


def test_a_hang_names_the_call_with_tensor_metadata_not_values() -> None:
    import torch

    placeholder = torch.nn.Parameter(torch.empty(2, 3))
    placeholder.untyped_storage().resize_(0)  # printing its values would read freed memory
    text = describe_call("tracable_create_parameter", (torch.zeros(1),),
                         {"placeholder": placeholder})
    assert text == (
        "tracable_create_parameter(Tensor(size=(1,), dtype=torch.float32, device=cpu, "
        "stride=(1,), offset=0, requires_grad=False), placeholder=Parameter(size=(2, 3), "
        "dtype=torch.float32, device=cpu, stride=(3, 1), offset=0, requires_grad=True))"
    )


RETURNS_NONE = "conformance.mutants.p1_returns_none"


def test_a_constructor_that_returns_no_tensor_fails_p1_and_blocks_what_needs_one(
    pytester: pytest.Pytester, run_in_process: Callable[..., pytest.RunResult],
) -> None:
    """One root cause, one failure: a placeholder that is not a tensor at all fails the
    clauses that judge what the constructor returns (P-1, and A-1's keyword call); the
    properties of other clauses that need one are blocked by P-1, naming the call, instead of
    failing on an AttributeError of ``None`` (the E clauses before anything compiles)."""
    report = pytester.path / "r.json"
    run_in_process("--pyargs", "conformance.properties.test_placeholder",
                   "conformance.properties.test_create", "conformance.properties.test_api",
                   "conformance.properties.test_end_to_end",
                   "--cp-impl", RETURNS_NONE, "--cp-devices", "cpu", "--cp-report", str(report),
                   "-k", "not test_values_bit_for_bit_special")
    rows = {row["id"]: row for row in load_report(report)["implementations"][0]["clauses"]}
    assert rows["P-1"]["status"] == rows["A-1"]["status"] == "fail"
    for clause_id in ("A-2", "P-2", "P-3", "P-4", "P-5", "P-6", "P-8", "C-1", "C-2", "C-3",
                      "C-7", "E-1", "E-2", "E-3", "E-4", "E-5", "E-6", "E-7"):
        assert rows[clause_id]["status"] == "blocked", rows[clause_id]
        assert rows[clause_id]["reason"].startswith("by P-1: new_parameter_placeholder(size="), \
            rows[clause_id]["reason"]
        assert "returned NoneType, not a tensor" in rows[clause_id]["reason"]
    assert rows["A-3"]["status"] == "pass"  # the switch needs no placeholder


BLOCKED_CONSTRUCTOR = "conformance.mutants.a1_fifth_parameter"


@pytest.mark.process
def test_deselected_blocked_and_missing_each_get_their_own_verdict_in_quiet_output(
    tmp_path: Path,
) -> None:
    """One ``cpconf run`` (``-n 0``: no worker process), three implementations, each judged on
    its own row and verdict line:

    - the reference, only its API properties selected: the deselected MUST clauses are
      not-run, and not-run is not passing;
    - a constructor the contract cannot call (A-1 fails): the clauses that need a
      placeholder are blocked by A-1, one root cause, one failure;
    - torch 2.4's module, without the switch: missing API, not a crash.

    The output is quiet: family lines and the table, no pytest noise."""
    report = tmp_path / "r.json"
    result = run_cpconf(
        "run", "--impl", "reference", "--impl", BLOCKED_CONSTRUCTOR, "--impl", TORCH_2_4,
        "--report", str(report), "-n", "0",
        "--", "-k", f"test_api or (test_placeholder and {BLOCKED_CONSTRUCTOR})",
        cwd=tmp_path)
    # Exit 1 when any implementation does not conform; each of the three does not.
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    rows = {entry["spec"]: {row["id"]: row for row in entry["clauses"]}
            for entry in load_report(report)["implementations"]}
    verdict_lines = {line.split(": ", 1)[0]: line for line in result.stdout.splitlines()
                     if ": does NOT conform (" in line or ": conforms (" in line}
    assert set(verdict_lines) == {"reference", BLOCKED_CONSTRUCTOR, TORCH_2_4}, verdict_lines

    reference = {cid: row["status"] for cid, row in rows["reference"].items()}
    assert reference["A-1"] == "pass" and reference["P-1"] == reference["S-8"] == "not-run"
    assert verdict_lines["reference"].startswith("reference: does NOT conform (not-run P-1, P-2")

    blocked = rows[BLOCKED_CONSTRUCTOR]
    assert blocked["A-1"]["status"] == "fail"
    assert "missing a required argument: 'layout'" in blocked["A-1"]["message"]
    for clause_id in ("A-2", "P-1", "P-3", "P-8"):
        assert blocked[clause_id]["status"] == "blocked", blocked[clause_id]
        assert blocked[clause_id]["reason"].startswith("by A-1: new_parameter_placeholder(")
    assert blocked["A-3"]["status"] == "pass"
    assert verdict_lines[BLOCKED_CONSTRUCTOR].startswith(
        f"{BLOCKED_CONSTRUCTOR}: does NOT conform (fail A-1; blocked A-2, P-1")

    missing = {cid: row["status"] for cid, row in rows[TORCH_2_4].items()}
    assert missing["A-3"] == missing["A-4"] == "missing-api", missing
    assert missing["A-1"] == "pass"
    assert verdict_lines[TORCH_2_4].startswith(
        f"{TORCH_2_4}: does NOT conform (missing-api A-3, A-4;")

    # One root cause, one failure, counted per implementation: one reproduce command,
    # the blocked constructor's; none for the others.
    reproduce = [line for line in result.stdout.splitlines() if "reproduce:" in line]
    for spec, count in (("reference", 0), (BLOCKED_CONSTRUCTOR, 1), (TORCH_2_4, 0)):
        assert sum(f"--cp-impl {spec} " in line for line in reproduce) == count, reproduce
    assert len(reproduce) == 1, "one root cause, one failure"

    # Quiet: a line per finished family (A: six properties for each of the three), no noise.
    assert "  A  API surface: 18 properties (1 failed, 14 passed, 3 skipped)" in result.stdout
    for noise in ("warnings summary", "Warning", "test session starts"):
        assert noise not in result.stdout + result.stderr


SEGFAULTS = "conformance.mutants.x_segfault_on_offset"
CRASHES_UNDER_COMPILE = "conformance.mutants.e1_crashes_under_compile"
HANGS_UNDER_COMPILE = "conformance.mutants.e1_hangs_under_compile"
DEADLOCKS = "conformance.mutants.x_deadlock_on_reentry"


@pytest.mark.process
def test_crashes_and_hangs_fail_their_clause_name_the_call_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    """One run (default: one worker process), four implementations: one kills the worker
    on an offset source when called directly (C-2), one kills it inside compilation (E-1),
    one never returns from compilation (E-1; a 1 s deadline gives the compiled call
    1 + 10 s), one deadlocks from its switch's second entry on (S-5, nesting, hangs within
    the 1 s deadline). Each fails its clause with the call named; the run finishes."""
    report = tmp_path / "r.json"
    result = run_cpconf(
        "run", "--impl", SEGFAULTS, "--impl", CRASHES_UNDER_COMPILE,
        "--impl", HANGS_UNDER_COMPILE, "--impl", DEADLOCKS, "--report", str(report), "--",
        "-k", "test_takes_the_source_metadata or compiled_equals_eager or test_api "
        f"or ((test_nesting or test_default_on) and {DEADLOCKS})",
        "--cp-deadline", "1", cwd=tmp_path, timeout=600)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    rows = {entry["spec"]: {row["id"]: row for row in entry["clauses"]}
            for entry in load_report(report)["implementations"]}
    crashed = rows[SEGFAULTS]["C-2"]
    assert crashed["status"] == "fail"
    assert "the test process crashed" in crashed["message"]
    assert "it was inside tracable_create_parameter(Tensor(size=" in crashed["message"]
    assert f"--cp-impl {SEGFAULTS}" in crashed["reproduce"]
    crashed_compiling = rows[CRASHES_UNDER_COMPILE]["E-1"]
    assert crashed_compiling["status"] == "fail"
    assert "crashed" in crashed_compiling["message"]
    assert f"--cp-impl {CRASHES_UNDER_COMPILE}" in crashed_compiling["reproduce"]
    hung = rows[HANGS_UNDER_COMPILE]["E-1"]
    assert hung["status"] == "fail"
    assert "did not return within 11 s" in hung["message"], hung["message"]
    assert f"--cp-impl {HANGS_UNDER_COMPILE}" in hung["reproduce"]
    deadlocked = rows[DEADLOCKS]["S-5"]
    assert deadlocked["status"] == "fail"
    assert deadlocked["message"].startswith(
        "[S-5] nests (MUST): expected the block to finish within 1 s; got it hung"), deadlocked
    assert f"--cp-impl {DEADLOCKS}" in deadlocked["reproduce"]
    assert rows[DEADLOCKS]["S-1"]["status"] == "pass"  # default on: its first entry works
    # The tests after a crash ran in a fresh worker, those after a hang in the same one:
    # every implementation's API properties have results.
    for spec in (SEGFAULTS, CRASHES_UNDER_COMPILE, HANGS_UNDER_COMPILE, DEADLOCKS):
        assert {rows[spec][c]["status"] for c in ("A-1", "A-2", "A-3", "A-4")} == {"pass"}
