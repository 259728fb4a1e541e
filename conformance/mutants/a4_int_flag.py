"""Breaks A-4: the reader returns ``1``/``0`` (an ``int``), not a ``bool``.

Truthiness is right everywhere, so ``if can_convert_...():`` works; code that
compares with ``is True`` or serialises the value does not. (The S-clause
checks compare with ``is`` too, so S-1 also reports it.)
"""

from __future__ import annotations

from typing import Any

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)

BREAKS = "A-4"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def can_convert_to_tracable_parameter() -> Any:
    """This thread's switch as an int (A-4)."""
    return int(_reference.can_convert_to_tracable_parameter())
