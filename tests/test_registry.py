"""The spine holds: SPEC.md, the clause registry and the properties agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import clauses, spec
from conformance.clauses.model import Clause
from conformance.coverage import declared_clauses

ROOT = Path(__file__).resolve().parents[1]


def test_spec_md_is_generated_from_the_registry() -> None:
    committed = (ROOT / "SPEC.md").read_text()
    assert committed == spec.render(), "SPEC.md is stale: python -m conformance.spec > SPEC.md"


def test_every_clause_is_in_spec_md_with_its_level() -> None:
    text = (ROOT / "SPEC.md").read_text()
    for clause in clauses.CLAUSES:
        assert f"### {clause.id} ({clause.level}): {clause.title}" in text


def test_every_clause_has_a_property() -> None:
    declared = declared_clauses()
    untested = [clause.id for clause in clauses.CLAUSES if clause.id not in declared]
    assert not untested, f"clauses without a property test: {untested}"


def test_properties_name_only_known_clauses() -> None:
    unknown = {cid: tests for cid, tests in declared_clauses().items() if cid not in clauses.BY_ID}
    assert not unknown, f"properties naming unknown clauses: {unknown}"


def test_clause_ids_are_unique_and_well_formed() -> None:
    ids = [clause.id for clause in clauses.CLAUSES]
    assert len(ids) == len(set(ids))
    for clause in clauses.CLAUSES:
        assert clause.rule.endswith(".") and clause.rationale.endswith(".")


@pytest.mark.parametrize(
    ("clause_id", "level", "message"),
    [("X-1", "MUST", "family 'X'"), ("P-99", "OFTEN", "level 'OFTEN'")],
)
def test_malformed_clauses_are_refused(clause_id: str, level: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Clause(clause_id, level, "t", "rule.", "why.")


def test_unknown_clause_lookup_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: A-1"):
        clauses.get("Q-7")
