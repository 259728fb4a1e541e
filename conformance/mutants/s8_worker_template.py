"""Breaks S-8: the last worker thread's switch value becomes the start value of new threads.

A ``threading.local`` subclass initialises each new thread from a template
that every non-main thread updates when it enters or leaves the context ("let
pool workers inherit configuration"). A worker that dies inside the context
leaves the template False, so every later thread starts off. Existing threads
keep their own value (S-6 holds), and the main thread never writes the
template, so threads started inside its context still start on (S-7 holds).
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

_template = [True]


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled = _template[0]


_state = _State()


def _set(value: bool) -> None:
    _state.enabled = value
    if threading.current_thread() is not threading.main_thread():
        _template[0] = value


def can_convert_to_tracable_parameter() -> bool:
    """This thread's value, which started as the template's (S-8)."""
    return bool(_state.enabled)


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Off for the block; worker threads also write the template (S-8)."""
    previous = can_convert_to_tracable_parameter()
    _set(False)
    try:
        yield False
    finally:
        _set(previous)
