"""Breaks S-10: an abandoned context's cleanup restores whichever thread runs it.

The switch lives in a plain ``threading.local`` and the cleanup writes the saved
value into the *current* thread's slot. When a context left open by a thread
that ended is finalised in another thread, that thread's switch is set to the
dead thread's saved value (torch's own module behaves like this up to 2.13).
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

BREAKS = "S-10"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_local = threading.local()


def can_convert_to_tracable_parameter() -> bool:
    """This thread's slot, True when it has none."""
    return bool(getattr(_local, "enabled", True))


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Restores into the current thread's slot, wherever the cleanup runs (S-10)."""
    previous = can_convert_to_tracable_parameter()
    _local.enabled = False
    try:
        yield False
    finally:
        _local.enabled = previous
