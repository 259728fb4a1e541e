"""Breaks C-3, only for signed zeros: ``-0.0`` becomes ``+0.0`` in place.

The take-over "normalises" the values with an in-place ``add_(0)``, which is
the identity for every value except negative zero (and keeps NaN payloads).
Numerically equal, not bit for bit equal.
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

BREAKS = "C-3"

# Only where an in-place add is defined and writes each element once.
_ADDABLE = (torch.float16, torch.bfloat16, torch.float32, torch.float64)

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
    """The reference take-over, then an in-place ``+ 0`` (C-3)."""
    if (tensor.dtype in _ADDABLE and tensor.dtype == placeholder.dtype
            and tensor.device.type != "meta" and not tensor.requires_grad
            and 0 not in tensor.stride()):
        with torch.no_grad():
            tensor.add_(0.0)
    return _reference.tracable_create_parameter(tensor, placeholder)
