"""Breaks C-5: grad mode is set to the placeholder's ``requires_grad`` and never restored.

``torch.set_grad_enabled(flag)`` used as a plain call instead of a context
manager: after creating a non-trainable parameter, grad mode stays off.
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
    """The reference take-over, leaving grad mode changed (C-5)."""
    _reference._check_compatible(tensor, placeholder)
    torch.set_grad_enabled(placeholder.requires_grad)
    return _reference.TracableCreateParameter.apply(tensor.detach(), placeholder)
