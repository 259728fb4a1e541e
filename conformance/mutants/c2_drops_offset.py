"""Breaks C-2, only for sources with a storage offset: the offset is dropped.

``set_(storage, 0, size, stride)`` reads the view from the start of its base
storage; sources at offset 0 (every fresh tensor) are taken over correctly.
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


class _OffsetlessCreate(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        return placeholder.set_(tensor.untyped_storage(), 0, tensor.shape, tensor.stride())

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, grads[0]


TracableCreateParameter = _OffsetlessCreate


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over at storage offset 0 (C-2)."""
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return _OffsetlessCreate.apply(tensor.detach(), placeholder)
