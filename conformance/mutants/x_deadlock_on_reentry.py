"""Breaks S-4 by deadlock: from its second use, ``__enter__`` never returns.

``__enter__`` takes a plain (non-reentrant) "compile lock" and ``__exit__``
forgets to release it, so the next ``with`` in any thread blocks forever on
``Lock.acquire()``: in the S-4 property that ``with`` never starts, so no
exception can propagate. The suite must report this as a failure within
``--cp-deadline`` seconds (the main-thread call bound, or the thread
watchdogs, which use the same bound) and finish the run.
"""

from __future__ import annotations

import threading
from types import TracebackType

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)

BREAKS = "S-4"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_compile_lock = threading.Lock()


class _LockingSwitch:
    def __init__(self) -> None:
        self._inner = _reference.do_not_convert_to_tracable_parameter()

    def __enter__(self) -> bool:
        _compile_lock.acquire()  # blocks forever once a previous exit leaked it
        return self._inner.__enter__()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> bool | None:
        return self._inner.__exit__(kind, error, traceback)  # the lock is never released


def do_not_convert_to_tracable_parameter() -> _LockingSwitch:
    """A switch whose second main-thread entry deadlocks (S-4)."""
    return _LockingSwitch()
