"""Breaks C-6, only for a dtype of the same element size: its bits are reinterpreted.

A ``float32`` placeholder silently takes over an ``int32`` source through
``view(dtype)`` (and ``float16`` a ``bfloat16`` one) instead of raising;
sources of a different width still raise.
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

BREAKS = "C-6"

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
    """Reinterpret a same-width source instead of refusing it (C-6)."""
    if (tensor.dtype != placeholder.dtype and tensor.device == placeholder.device
            and tensor.element_size() == placeholder.element_size()
            and tensor.dim() > 0 and tensor.is_contiguous()):
        tensor = tensor.view(placeholder.dtype)
    return _reference.tracable_create_parameter(tensor, placeholder)
