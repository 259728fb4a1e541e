"""Breaks S-3: the previous value is restored when the block raises, not on normal exit.

The restore sits in an ``except`` clause instead of ``finally``, so a block
that completes normally leaves the switch off.
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

BREAKS = "S-3"

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
    """Off for the block; restored only on the exception path (S-3)."""
    previous = can_convert_to_tracable_parameter()
    _state.enabled = False
    try:
        yield False
    except BaseException:
        _state.enabled = previous
        raise
