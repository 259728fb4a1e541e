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
    if (tensor.is_floating_point() and tensor.dtype == placeholder.dtype
            and tensor.device.type != "meta"):
        with torch.no_grad():
            tensor.detach().add_(0.0)
    return _reference.tracable_create_parameter(tensor, placeholder)
