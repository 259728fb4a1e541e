"""Breaks S-8 (when thread identifiers are reused): values keyed by ``get_ident()`` stay.

A thread that ends inside the context leaves its False behind; the operating
system reuses thread identifiers, so a later thread can inherit it.
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

BREAKS = "S-8"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_flags: dict[int, bool] = {}
_lock = threading.Lock()


def can_convert_to_tracable_parameter() -> bool:
    """The entry for this thread identifier, True when there is none."""
    with _lock:
        return _flags.get(threading.get_ident(), True)


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Off for the block, stored under the thread identifier (S-8)."""
    key = threading.get_ident()
    with _lock:
        previous = _flags.get(key, True)
        _flags[key] = False
    try:
        yield False
    finally:
        with _lock:
            _flags[key] = previous
