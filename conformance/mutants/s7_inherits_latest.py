"""Breaks S-7: a thread that never entered the context reads the latest value set anywhere.

Per-thread values fall back to a process-wide "last value" instead of True,
so a thread started inside another thread's context starts off.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from reference_impl import (
    TracableCreateParameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)

BREAKS = "S-7"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_state = threading.local()
_latest = [True]


def can_convert_to_tracable_parameter() -> bool:
    """This thread's value, else the last value any thread set (S-7)."""
    return bool(getattr(_state, "enabled", _latest[0]))


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Off for the block, mirrored into the process-wide fallback."""
    previous = can_convert_to_tracable_parameter()
    _state.enabled = _latest[0] = False
    try:
        yield False
    finally:
        _state.enabled = _latest[0] = previous
