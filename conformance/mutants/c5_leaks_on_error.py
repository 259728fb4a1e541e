"""Breaks C-5, only when the call raises: grad mode is restored on success only.

Grad mode is switched before the compatibility check and restored after the
take-over without ``try``/``finally``; a mismatched source leaves it changed.
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

BREAKS = "C-5"

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
    """The reference take-over; an error skips the grad-mode restore (C-5)."""
    previous = torch.is_grad_enabled()
    torch.set_grad_enabled(placeholder.requires_grad)
    _reference._check_compatible(tensor, placeholder)
    out = _reference.TracableCreateParameter.apply(tensor.detach(), placeholder)
    torch.set_grad_enabled(previous)
    return out
