"""Breaks S-4, only when the block raises: the exception is replaced by a ``RuntimeError``.

The switch itself is restored, but callers that catch the original exception
type (Dynamo catches its own graph-break exceptions) no longer see it.
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
    """Off for the block; an exception comes out wrapped (S-4)."""
    previous = can_convert_to_tracable_parameter()
    _state.enabled = False
    try:
        yield False
    except Exception as error:
        raise RuntimeError(f"while conversion was disabled: {error}") from error
    finally:
        _state.enabled = previous
