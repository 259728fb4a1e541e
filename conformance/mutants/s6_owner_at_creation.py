"""Breaks S-6, only across threads: the context switches off the thread that *created* it.

The owning thread is captured when ``do_not_convert_to_tracable_parameter()``
is called, not when it is entered; a manager created in one thread and entered
in another turns the creator's switch off. New threads still start on (S-7).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from reference_impl import (
    TracableCreateParameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)

BREAKS = "S-6"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

# Keyed by the Thread object, never reused, so dead threads leak nothing (S-8 holds).
_flags: dict[threading.Thread, bool] = {}
_lock = threading.Lock()


def can_convert_to_tracable_parameter() -> bool:
    """The calling thread's entry, True when it has none."""
    with _lock:
        return _flags.get(threading.current_thread(), True)


def do_not_convert_to_tracable_parameter() -> AbstractContextManager[bool]:
    """A manager bound to the creating thread (S-6)."""
    owner = threading.current_thread()

    @contextmanager
    def bound() -> Iterator[bool]:
        with _lock:
            previous = _flags.get(owner, True)
            _flags[owner] = False
        try:
            yield False
        finally:
            with _lock:
                _flags[owner] = previous

    return bound()
