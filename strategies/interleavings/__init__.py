"""A controlled thread scheduler as a Hypothesis strategy, for the switch clauses S-1 .. S-8.

Real OS threads run the operations; the test's own thread passes a baton so
exactly one runs at a time, and only it draws from Hypothesis.

Public API: :func:`interleavings` (the strategy), :class:`Interleaving` (a case,
pasteable into ``@example``), :func:`run_interleaving` (replay and check one
case), :class:`Session` and :class:`Switch` (drive threads step by step, as the
state machine does), and the failures :class:`InterleavingViolation`,
:class:`StuckWorker`, :class:`WorkerCrashed`,
:class:`PoisonedState` (all ClauseViolations).
"""

from strategies.interleavings.errors import (
    InterleavingViolation,
    PoisonedState,
    StuckWorker,
    WorkerCrashed,
)
from strategies.interleavings.program import Interleaving
from strategies.interleavings.runner import run_interleaving
from strategies.interleavings.session import DEFAULT_WATCHDOG, Session, Switch
from strategies.interleavings.strategy import interleavings

__all__ = [
    "DEFAULT_WATCHDOG",
    "Interleaving",
    "InterleavingViolation",
    "PoisonedState",
    "Session",
    "StuckWorker",
    "Switch",
    "WorkerCrashed",
    "interleavings",
    "run_interleaving",
]
