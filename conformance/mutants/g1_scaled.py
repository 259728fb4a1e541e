"""Breaks G-1: backward hands the placeholder half the upstream gradient.

A leftover averaging factor; the gradient still reaches the placeholder, only
its values are wrong.
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

BREAKS = "G-1"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class _HalvingBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        return placeholder.set_(tensor)  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, grads[0] * 0.5


TracableCreateParameter = _HalvingBackward


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over with a halving backward (G-1)."""
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return _HalvingBackward.apply(tensor.detach(), placeholder)
