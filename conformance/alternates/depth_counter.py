"""Conforms: the switch counts how deep this thread is, instead of saving the flag.

The reader returns ``depth == 0``; entering adds one and every exit (normal
or by exception) takes one off, so nesting restores the right value (S-3 ..
S-5) and a per-thread counter keeps threads apart (S-6 .. S-8). The exit
decrements the counter of the thread that *entered*: a context abandoned by a
dead thread may be closed by the garbage collector in another thread, and
must not change that thread's count (S-8).
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

EXPECTED = "conforms"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_local = threading.local()


def _counter() -> list[int]:
    """This thread's depth cell (created on first use)."""
    cell: list[int] | None = getattr(_local, "cell", None)
    if cell is None:
        cell = _local.cell = [0]
    return cell


def can_convert_to_tracable_parameter() -> bool:
    """True when this thread is inside no context (S-1)."""
    return _counter()[0] == 0


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """One level deeper for the block (S-2 .. S-5)."""
    cell = _counter()
    cell[0] += 1
    try:
        yield False
    finally:
        cell[0] -= 1
