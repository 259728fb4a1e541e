"""The clause registry: the one source of truth for the contract.

SPEC.md is rendered from :data:`CLAUSES` (``python -m conformance.spec``) and a
self-test checks that the committed file matches, so the two cannot drift.
Property tests name the clauses they check with ``@pytest.mark.clause(...)``.
"""

from __future__ import annotations

from conformance.clauses import api, create, end_to_end, gradient, placeholder, switch
from conformance.clauses.model import FAMILIES, LEVELS, Clause

CLAUSES: tuple[Clause, ...] = (
    *api.CLAUSES,
    *placeholder.CLAUSES,
    *create.CLAUSES,
    *gradient.CLAUSES,
    *switch.CLAUSES,
    *end_to_end.CLAUSES,
)

BY_ID: dict[str, Clause] = {clause.id: clause for clause in CLAUSES}


def get(clause_id: str) -> Clause:
    """Return the clause with that ID, or raise ``KeyError`` naming the known IDs."""
    try:
        return BY_ID[clause_id]
    except KeyError:
        raise KeyError(f"unknown clause {clause_id!r}; known: {', '.join(BY_ID)}") from None


__all__ = ["BY_ID", "CLAUSES", "FAMILIES", "LEVELS", "Clause", "get"]
