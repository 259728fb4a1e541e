"""Breaks S-5, only when nested: exiting any context sets the switch back to True.

Single contexts behave; after an inner exit the outer block reads True
although it is still inside a context.
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

BREAKS = "S-5"

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
    """Off for the block; the exit restores True, not the previous value (S-5)."""
    _state.enabled = False
    try:
        yield False
    finally:
        _state.enabled = True
