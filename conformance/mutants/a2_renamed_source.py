"""Breaks A-2: the create function's first parameter is called ``source``, not ``tensor``.

Positional calls still work; ``tracable_create_parameter(tensor=..., placeholder=...)``
raises ``TypeError``.
"""

from __future__ import annotations

import torch

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "A-2"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def tracable_create_parameter(
    source: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over under a renamed first parameter (A-2)."""
    return _reference.tracable_create_parameter(source, placeholder)
