"""Breaks S-4, only when the block raises: the switch is then left off.

The restore follows the ``yield`` without ``try``/``finally``; normal exits
restore correctly.
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

BREAKS = "S-4"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_state = threading.local()


def can_convert_to_tracable_parameter() -> bool:
    """This thread's switch, True by default."""
    return bool(getattr(_state, "enabled", True))


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Off for the block; an exception skips the restore (S-4)."""
    previous = can_convert_to_tracable_parameter()
    _state.enabled = False
    yield False
    _state.enabled = previous
