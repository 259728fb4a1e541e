"""Ways a property ends without judging its clause: not applicable here, or blocked.

Both are pytest skips, so Hypothesis re-raises them at once instead of
shrinking, and pytest (and xdist) carry them as skips whose reason starts with
a prefix the report reads back (see :mod:`conformance.outcomes`):

- :class:`NotApplicable`: the clause cannot or need not run here (a torch that
  lacks the feature, an absent device, a layer the user deselected). The
  report shows ``not-applicable`` with the reason; it never counts as a pass.
- :class:`Blocked`: a precondition clause already failed (the constructor
  cannot be called with the contract's arguments, A-1; it or the create
  function returned something that is not a tensor at all, P-1 or A-2), so this
  clause cannot be judged. The report shows ``blocked`` naming that clause,
  instead of a cascade of failures with one root cause.
"""

from __future__ import annotations

import pytest

NOT_APPLICABLE_PREFIX = "not-applicable:"
BLOCKED_PREFIX = "blocked:"


class NotApplicable(pytest.skip.Exception):  # type: ignore[name-defined]
    """This property's clauses cannot or need not be checked here, for ``reason``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{NOT_APPLICABLE_PREFIX} {reason}", _use_item_location=True)


class Blocked(pytest.skip.Exception):  # type: ignore[name-defined]
    """A precondition clause (``clause_id``) failed, so this property cannot judge its own."""

    def __init__(self, clause_id: str, reason: str) -> None:
        self.clause_id = clause_id
        self.reason = reason
        super().__init__(f"{BLOCKED_PREFIX} by {clause_id}: {reason}", _use_item_location=True)
