"""A controlled thread scheduler as a Hypothesis strategy.

Real OS threads run the operations; the test's own thread passes a baton so
exactly one runs at a time, and only it draws from Hypothesis. A schedule is a
plain list of small integers (0 = keep running, k = switch to the k-th other
runnable thread), so Hypothesis replays and shrinks it to the fewest context
switches. Nothing here knows the contract: checking a run against it (which S
clause a schedule broke) is :mod:`conformance.switch_model`.

Public API: :func:`interleavings` (the strategy), :class:`Interleaving` (a case,
pasteable into ``@example``), :class:`Conductor` and :class:`Worker` (drive real
threads one step at a time), :func:`call_in_fresh_thread` and
:func:`read_in_fresh_thread` (one bounded call in a brand-new thread).
"""

from strategies.interleavings.conductor import (
    Conductor,
    Timeout,
    Worker,
    call_in_fresh_thread,
    read_in_fresh_thread,
)
from strategies.interleavings.program import Interleaving
from strategies.interleavings.strategy import interleavings

__all__ = [
    "Conductor",
    "Interleaving",
    "Timeout",
    "Worker",
    "call_in_fresh_thread",
    "interleavings",
    "read_in_fresh_thread",
]
