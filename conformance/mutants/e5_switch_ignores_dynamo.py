"""Breaks E-5: the switch does nothing when Dynamo itself enters it.

The context manager checks who called it and turns the switch off only for
callers outside ``torch._dynamo`` (every unit clause calls it from the suite).
Dynamo entering it while tracing a module's construction changes nothing, so
Dynamo never graph-breaks there.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)

BREAKS = "E-5"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def do_not_convert_to_tracable_parameter() -> AbstractContextManager[bool]:
    """The reference's switch, except for callers inside Dynamo (E-5)."""
    caller = str(sys._getframe(1).f_globals.get("__name__", ""))
    if caller.startswith("torch._dynamo"):
        return nullcontext(False)
    return _reference.do_not_convert_to_tracable_parameter()
