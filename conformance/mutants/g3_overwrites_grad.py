"""Breaks G-3: each backward replaces the placeholder's ``.grad`` instead of adding to it.

Backward clears ``placeholder.grad`` before handing on the gradient (a
``zero_grad`` in the wrong place), so the first pass is exact and the second
loses the first.
"""

from __future__ import annotations

from typing import Any

import torch

import reference_impl as _reference
from reference_impl import (
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "G-3"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class _ClearingBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        ctx.placeholder = placeholder
        return placeholder.set_(tensor)  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[None, torch.Tensor]:
        ctx.placeholder.grad = None
        return None, grads[0]


TracableCreateParameter = _ClearingBackward


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over with a gradient-clearing backward (G-3)."""
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return _ClearingBackward.apply(tensor.detach(), placeholder)
