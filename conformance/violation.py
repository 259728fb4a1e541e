"""How a property says that an implementation broke a clause.

Every failure a property raises is a :class:`ClauseViolation`: it names the
clause, what the contract expected and what the implementation did, so the
report can attribute it and a stranger can act on it.
"""

from __future__ import annotations

from conformance import clauses
from conformance.deadline import ImplementationHang


def _message(clause_id: str, expected: str, actual: str) -> str:
    clause = clauses.get(clause_id)
    return f"[{clause.id}] {clause.title} ({clause.level}): expected {expected}; got {actual}"


class ClauseViolation(AssertionError):
    """An implementation broke ``clause_id``: ``expected`` versus ``actual``."""

    def __init__(self, clause_id: str, expected: str, actual: str) -> None:
        self.clause_id = clause_id
        self.expected = expected
        self.actual = actual
        super().__init__(_message(clause_id, expected, actual))


class ClauseHang(ImplementationHang):
    """An implementation hung where ``clause_id`` needed it to return: the one idea of a
    hang (:class:`conformance.deadline.ImplementationHang`, a ``BaseException`` so
    Hypothesis stops at once instead of shrinking by hanging again and again),
    attributed to a clause."""

    def __init__(self, clause_id: str, expected: str, actual: str) -> None:
        self.clause_id = clause_id
        self.expected = expected
        self.actual = actual
        super().__init__(_message(clause_id, expected, actual))


VIOLATIONS = (ClauseViolation, ClauseHang)
"""Everything that names the clause it breaks."""


def check(condition: object, clause_id: str, expected: str, actual: object) -> None:
    """Raise :class:`ClauseViolation` unless ``condition`` holds.

    ``actual`` may be a zero-argument callable, so that an expensive
    description is only built when the check fails.
    """
    if condition:
        return
    described = actual() if callable(actual) else actual
    raise ClauseViolation(clause_id, expected, str(described))
