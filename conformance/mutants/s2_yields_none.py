"""Breaks S-2: the context manager yields ``None`` instead of ``False``.

The reader does return False inside the block; only ``with ... as value``
sees the wrong value.
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

BREAKS = "S-2"

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
def do_not_convert_to_tracable_parameter() -> Iterator[None]:
    """Off for the block, but yields None (S-2)."""
    previous = can_convert_to_tracable_parameter()
    _state.enabled = False
    try:
        yield None
    finally:
        _state.enabled = previous
