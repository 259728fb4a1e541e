"""Breaks C-2 for non-contiguous sources: the placeholder gets contiguous strides.

The take-over uses ``set_(storage, offset, size)`` without the strides, so a
transposed source is re-read in row-major order: same storage (C-1 holds),
wrong layout.
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

BREAKS = "C-2"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class _StridelessCreate(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        return placeholder.set_(  # type: ignore[call-overload]
            tensor.untyped_storage(), tensor.storage_offset(), tensor.shape
        )

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, grads[0]


TracableCreateParameter = _StridelessCreate


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over without the source's strides (C-2)."""
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return _StridelessCreate.apply(tensor.detach(), placeholder)
