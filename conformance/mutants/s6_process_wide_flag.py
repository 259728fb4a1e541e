"""Breaks S-6: one switch for the whole process instead of one per thread.

The flag is a module-level list, so entering the context in any thread turns
the switch off in every thread, and a thread that ends inside a context
strands it at False for everyone (it breaks S-8 as a consequence).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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

_enabled = [True]


def can_convert_to_tracable_parameter() -> bool:
    """The one process-wide switch."""
    return _enabled[0]


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Off for every thread while any thread is inside (S-6)."""
    previous = _enabled[0]
    _enabled[0] = False
    try:
        yield False
    finally:
        _enabled[0] = previous
