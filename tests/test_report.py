"""Folding test outcomes into clause statuses, the table and the exit decision."""

from __future__ import annotations

import re

from conformance import clauses
from conformance.report.policy import conforms
from conformance.report.rendering import render_failures, render_table, verdict
from conformance.report.results import ResultBook, TestOutcome

IMPLEMENTATIONS = [{"id": "mine", "spec": "mine", "origin": "test", "missing_api": []}]


def _outcome(
    outcome: str, clause_ids: tuple[str, ...], **extra: str | tuple[str, ...]
) -> TestOutcome:
    return TestOutcome(nodeid=f"t::{outcome}-{'-'.join(clause_ids)}", implementation="mine",
                       clauses=clause_ids, outcome=outcome, **extra)  # type: ignore[arg-type]


def _rows(book: ResultBook) -> dict[str, dict[str, object]]:
    return {row["id"]: row for row in book.clause_rows("mine")}


def test_a_violation_fails_only_the_violated_clause() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    book.add(_outcome("failed", ("C-1", "C-3"), violated=("C-3",), message="[C-3] x",
                      example="ex", reproduce="cmd"))
    book.add(_outcome("passed", ("C-1",)))
    rows = _rows(book)
    assert rows["C-3"]["status"] == "fail"
    assert rows["C-3"]["reproduce"] == "cmd" and rows["C-3"]["example"] == "ex"
    assert rows["C-1"]["status"] == "pass"
    assert rows["P-1"]["status"] == "not-run"


def test_an_unattributed_failure_fails_every_clause_of_the_test() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    book.add(_outcome("failed", ("G-1", "G-3"), message="TypeError"))
    rows = _rows(book)
    assert rows["G-1"]["status"] == rows["G-3"]["status"] == "fail"


def test_fail_beats_missing_beats_pass() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    book.add(_outcome("passed", ("S-1",)))
    book.add(_outcome("missing-api", ("S-1", "S-2")))
    book.add(_outcome("passed", ("S-2",)))
    book.add(_outcome("failed", ("S-2",), violated=("S-2",)))
    rows = _rows(book)
    assert rows["S-1"]["status"] == "missing-api"
    assert rows["S-2"]["status"] == "fail"


def test_conformance_decision_counts_must_clauses_only() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    for clause in clauses.CLAUSES:
        book.add(_outcome("passed", (clause.id,)))
    book.add(_outcome("failed", ("A-5",), violated=("A-5",)))  # SHOULD
    book.add(_outcome("missing-api", ("A-6",)))  # MAY
    report = book.to_json({"profile": "ci"})
    assert conforms(report)
    book.add(_outcome("missing-api", ("S-1",)))
    assert not conforms(book.to_json({"profile": "ci"}))


def test_verdict_names_the_deciding_clauses() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    book.add(_outcome("failed", ("S-10",), violated=("S-10",)))  # SHOULD
    for clause in clauses.CLAUSES:
        book.add(_outcome("passed", (clause.id,)))
    assert verdict(book.to_json({})) == "mine: conforms (every applicable MUST clause passes; " \
        "fails SHOULD/MAY S-10)"
    book.add(_outcome("missing-api", ("S-1",)))
    assert verdict(book.to_json({})) == "mine: does NOT conform (missing-api S-1; " \
        "fails SHOULD/MAY S-10)"


def test_table_and_failures_render_every_clause() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    book.add(_outcome("failed", ("C-3",), violated=("C-3",), message="[C-3] bits",
                      example="Falsifying", reproduce="python -m pytest x"))
    book.add(_outcome("passed", ("S-9",), observation="shared across tasks"))
    report = book.to_json({})
    table = render_table(report)
    rows = [line for line in table.splitlines()
            if re.match(r"[A-Z]-\d+ +(MUST|SHOULD|MAY|INFO) ", line)]
    assert len(rows) == len(clauses.CLAUSES)
    assert "FAIL" in table and "info" in table
    assert "S-9 (mine): shared across tasks" in table
    failures = render_failures(report)
    assert "reproduce: python -m pytest x" in failures and "Falsifying" in failures


def test_outcomes_survive_the_wire() -> None:
    outcome = _outcome("failed", ("C-3",), violated=("C-3",), message="m")
    assert TestOutcome.from_wire(outcome.to_wire()) == outcome


def _all_passed_but(book: ResultBook, *left_out: str) -> None:
    for clause in clauses.CLAUSES:
        if clause.id not in left_out:
            book.add(_outcome("passed", (clause.id,)))


def test_a_must_clause_that_did_not_run_does_not_conform() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    _all_passed_but(book, "C-1")
    report = book.to_json({})
    assert _rows(book)["C-1"]["status"] == "not-run"
    assert not conforms(report)
    assert "not-run C-1" in verdict(report)


def test_not_applicable_keeps_its_reason_and_does_not_block_conformance() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    _all_passed_but(book, "C-1", "C-2")
    book.add(_outcome("not-applicable", ("C-1",), message="no cuda"))
    book.exclude("C-2", "layer e2e deselected")
    book.exclude("C-3", "never used: C-3 ran")
    rows = _rows(book)
    assert (rows["C-1"]["status"], rows["C-1"]["reason"]) == ("not-applicable",
                                                              "no cuda")
    assert (rows["C-2"]["status"], rows["C-2"]["reason"]) == ("not-applicable",
                                                              "layer e2e deselected")
    assert rows["C-3"]["status"] == "pass" and "reason" not in rows["C-3"]
    assert conforms(book.to_json({}))
    assert "C-2 (mine) not-applicable: layer e2e deselected" in render_table(book.to_json({}))


def test_blocked_beats_pass_and_names_the_blocking_clause() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    _all_passed_but(book)
    book.add(_outcome("blocked", ("C-1",), message="by A-1: five parameters"))
    row = _rows(book)["C-1"]
    assert row["status"] == "blocked" and "A-1" in row["reason"]
    assert "blocked C-1" in verdict(book.to_json({}))


def test_expectations_turn_fail_into_expected_fail_and_pass_into_unexpected_pass() -> None:
    book = ResultBook(IMPLEMENTATIONS, expected={"mine": {"S-10": "torch bug", "C-1": "old"}})
    _all_passed_but(book, "S-10")
    book.add(_outcome("failed", ("S-10",), violated=("S-10",)))
    rows = _rows(book)
    assert rows["S-10"]["status"] == "expected-fail"
    assert rows["S-10"]["expected_reason"] == "torch bug"
    assert rows["C-1"]["status"] == "unexpected-pass"
    report = book.to_json({})
    assert not conforms(report)
    assert "unexpected-pass C-1" in verdict(report)
    assert "expected failures S-10" in verdict(report)


def test_the_verdict_names_the_layers_it_covers() -> None:
    book = ResultBook(IMPLEMENTATIONS)
    _all_passed_but(book)
    assert verdict(book.to_json({"layers": ["unit"]})).endswith("[layers: unit]")
