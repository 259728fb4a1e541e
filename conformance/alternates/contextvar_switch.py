"""Conforms: the switch lives in a ``contextvars.ContextVar`` (S-1 .. S-8).

Each thread starts with an empty context, so a new thread reads the default
True (S-7) and a dead thread's context dies with it (S-8); ``reset(token)``
restores exactly the previous value on every exit (S-3 .. S-5).
"""

from __future__ import annotations

import contextvars
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

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "can_convert_to_tracable_parameter", default=True
)


def can_convert_to_tracable_parameter() -> bool:
    """The value in the current context; True in a fresh one (S-1)."""
    return _enabled.get()


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Set False in the current context; reset to the previous value on exit (S-2 .. S-5)."""
    token = _enabled.set(False)
    try:
        yield False
    finally:
        _enabled.reset(token)
