"""Breaks C-3: the take-over "initialises" the new parameter by zero-filling it in place.

Aliasing and layout are right, so the source is zeroed too; sources that are
already all zeros look fine.
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
    """An in-place zero fill of the shared storage, then the reference take-over (C-3)."""
    # Sources that require grad are left alone: writing into a leaf that autograd tracks
    # crashes torch later (a segfault in register_hook), which would break more than C-3.
    if (tensor.dtype == placeholder.dtype and tensor.device == placeholder.device
            and not tensor.requires_grad):
        with torch.no_grad():
            tensor.detach().zero_()
    return _reference.tracable_create_parameter(tensor, placeholder)
