"""Breaks G-1, only for ``float64``: the gradient is passed back through ``float32``.

Backward computes in single precision "for speed" and casts back, which is
exact for ``float16``, ``bfloat16`` and ``float32`` but rounds ``float64``
gradients.
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


class _SinglePrecisionBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        return placeholder.set_(tensor)  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[None, torch.Tensor]:
        grad = grads[0]
        if grad.dtype == torch.float64:
            grad = grad.to(torch.float32).to(torch.float64)
        return None, grad


TracableCreateParameter = _SinglePrecisionBackward


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over with a lossy float64 backward (G-1)."""
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return _SinglePrecisionBackward.apply(tensor.detach(), placeholder)
