"""Breaks A-5: the placeholder constructor is a closure, not importable by its name.

It behaves exactly like the reference's, but its ``__qualname__`` points into a
factory function (``<locals>``), so compiled code that re-resolves the
constructor by module and name on every call cannot find it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    tracable_create_parameter,
)

BREAKS = "A-5"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def _make_constructor() -> Callable[..., torch.nn.Parameter]:
    def new_parameter_placeholder(size: Any, dtype: torch.dtype, device: Any,
                                  requires_grad: bool) -> torch.nn.Parameter:
        return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)

    return new_parameter_placeholder


new_parameter_placeholder = _make_constructor()
