"""Breaks C-4, only under ``no_grad``: grad mode is not forced to the placeholder's.

The take-over runs in the ambient grad mode, so under ``torch.no_grad()`` the
output of a trainable placeholder does not require grad (the #126960 family).
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

BREAKS = "C-4"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over without the grad-mode override (C-4)."""
    _reference._check_compatible(tensor, placeholder)
    if not placeholder.requires_grad:
        with torch.no_grad():
            return _reference.TracableCreateParameter.apply(tensor.detach(), placeholder)
    return _reference.TracableCreateParameter.apply(tensor.detach(), placeholder)
