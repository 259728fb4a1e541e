"""Breaks S-1, only in threads other than the main one: the switch starts off there.

The per-thread default is computed as "am I the main thread?", so a worker
thread that never entered the context reads False.
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

BREAKS = "S-1"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_state = threading.local()


def can_convert_to_tracable_parameter() -> bool:
    """This thread's switch; defaults to True in the main thread only (S-1)."""
    default = threading.current_thread() is threading.main_thread()
    return bool(getattr(_state, "enabled", default))


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Off for the block, restored after it, as in the reference."""
    previous = can_convert_to_tracable_parameter()
    _state.enabled = False
    try:
        yield False
    finally:
        _state.enabled = previous
