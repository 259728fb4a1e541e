"""Thread runs of the switch checked against the contract (S-1 .. S-10).

:class:`SwitchModel` decides what each read, yield and exit must give and so
which S clause a schedule broke; :class:`Session` drives real threads through
the scheduler of :mod:`strategies.interleavings` and checks every step;
:func:`run_interleaving` replays one drawn case; :func:`switch_machine` is the
rule-based state machine; :func:`describe_async_behaviour` the S-9 probe. Every
failure is a clause violation carrying a numbered timeline.
"""

from conformance.switch_model.async_probe import describe_async_behaviour
from conformance.switch_model.errors import (
    InterleavingViolation,
    PoisonedState,
    StuckWorker,
    WorkerCrashed,
)
from conformance.switch_model.machine import switch_machine
from conformance.switch_model.model import SwitchModel
from conformance.switch_model.runner import run_interleaving
from conformance.switch_model.session import Session, Switch

__all__ = [
    "InterleavingViolation",
    "PoisonedState",
    "Session",
    "StuckWorker",
    "Switch",
    "SwitchModel",
    "WorkerCrashed",
    "describe_async_behaviour",
    "run_interleaving",
    "switch_machine",
]
