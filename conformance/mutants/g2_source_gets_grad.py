"""Breaks G-2, only for a source that requires grad: it is neither rejected nor detached.

Backward returns the gradient for both inputs, so ``source.grad`` fills up:
the data tensor is trained as if it were the parameter. Sources that do not
require grad (every one the C-clauses draw) behave as in the reference.
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

BREAKS = "G-2"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class _BothInputsBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        return placeholder.set_(tensor)  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return grads[0], grads[0]


TracableCreateParameter = _BothInputsBackward


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over without detaching the source (G-2)."""
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return _BothInputsBackward.apply(tensor, placeholder)
