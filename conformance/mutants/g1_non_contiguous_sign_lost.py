"""Breaks G-1 for non-contiguous sources only: the gradient loses its sign bits.

A layout-specific backward (written for transposed and channels-last
activations) returns ``grad.abs()``; contiguous sources get the identity
gradient.
"""

from __future__ import annotations

from typing import Any

import torch

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
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


class _SignLost(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, out: torch.Tensor) -> torch.Tensor:
        return out.view_as(out)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return grad.abs() if grad.is_floating_point() else grad


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over; non-contiguous sources get ``|grad|`` back (G-1)."""
    out = _reference.tracable_create_parameter(tensor, placeholder)
    if not tensor.is_contiguous() and out.requires_grad:
        return _SignLost.apply(out)
    return out
