"""The failures the interleaving harness raises, each naming its clause (S-1 .. S-8).

A wrong read is a ClauseViolation, which Hypothesis shrinks; a stuck worker is
a ClauseHang, which stops the test at once (shrinking would hang again).
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.violation import ClauseHang, ClauseViolation


def format_timeline(timeline: Sequence[str]) -> str:
    """Number the timeline lines for a failure message."""
    return "\n".join(f"  {number:>3}. {line}" for number, line in enumerate(timeline, 1))


class _WithTimeline:
    """Carries ``timeline`` (what happened, one line per step) and ``replay`` (a literal
    that reproduces the case, pasteable into ``@example``) into the failure message."""

    def __init__(
        self,
        clause_id: str,
        expected: str,
        actual: str,
        timeline: Sequence[str],
        replay: str = "",
    ) -> None:
        self.timeline = list(timeline)
        self.replay = replay
        details = f"{actual}\ntimeline:\n{format_timeline(self.timeline)}"
        if replay:
            details += f"\nreplay with: @example({replay})"
        super().__init__(clause_id, expected, details)  # type: ignore[call-arg]


class InterleavingViolation(_WithTimeline, ClauseViolation):
    """A read, yield or exit disagreed with the model of the contract."""


class StuckWorker(_WithTimeline, ClauseHang):
    """A worker did not reach its next pause point within the watchdog bound.

    The clause is the one of the operation that hung: a hanging ``__enter__``
    breaks S-2 (S-5 when nested), a hanging normal exit S-3 (S-5 when nested),
    a hanging exit by exception S-4, a hanging read the clause the read checks,
    a hanging thread start S-7 and a thread that never finishes S-8. The stuck
    daemon thread is abandoned, never joined without a bound.
    """


class WorkerCrashed(InterleavingViolation):
    """An operation raised where the contract allows no exception; the
    original exception is chained as ``__cause__``."""


class PoisonedState(InterleavingViolation):
    """Before the first step a fresh thread or the controller already read False:
    something earlier (another example or test) left the switch off (S-8).

    A harness cannot undo that for an arbitrary implementation (a shared flag
    can be stranded at False by legal, fully closed contexts), so every later
    example fails with this error rather than with a misleading clause.
    """
