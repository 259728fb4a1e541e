"""Folding test outcomes into clause statuses, the table and the exit decision."""

from __future__ import annotations

import re

from conformance import clauses
from conformance.report import (
    ResultBook,
    TestOutcome,
    conforms,
    render_failures,
    render_table,
    verdict,
)

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
    assert rows["P-1"]["status"] == "skipped"


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
    assert verdict(book.to_json({})) == "mine: conforms (every MUST clause passes; " \
        "fails SHOULD/MAY S-10)"
    book.add(_outcome("missing-api", ("S-1",)))
    assert verdict(book.to_json({})) == "mine: does NOT conform (MUST: S-1 missing-api)"


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
