"""Breaks S-2: reading the switch inside a context raises instead of returning False.

The reader looks up which context switched it off (a registry the context
fills with its owner) and fails with ``RuntimeError`` when the entry is
missing, which it always is: outside any context it returns True as it should.
"""

from __future__ import annotations

from reference_impl import (
    TracableCreateParameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)
from reference_impl import can_convert_to_tracable_parameter as _reference_read

BREAKS = "S-2"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def can_convert_to_tracable_parameter() -> bool:
    """True outside a context; inside one, a failed owner lookup (S-2)."""
    if not _reference_read():
        raise RuntimeError("no owner registered for the context that switched this thread off")
    return True
