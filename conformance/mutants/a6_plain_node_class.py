"""Breaks A-6: ``TracableCreateParameter`` is exposed but is not an autograd Function.

The name is a plain class with a static ``apply`` that delegates to the
reference, so every call works; tools that look for the node type by name
find something that is not a ``torch.autograd.Function``.
"""

from __future__ import annotations

from typing import Any

import reference_impl as _reference
from reference_impl import (
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)

BREAKS = "A-6"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class TracableCreateParameter:
    """Looks like the node's name, is not a Function subclass (A-6)."""

    @staticmethod
    def apply(*args: Any) -> Any:
        return _reference.TracableCreateParameter.apply(*args)
