"""Breaks C-3, only for complex dtypes: the values are conjugated in place.

A mishandled conjugate bit: the imaginary parts are negated (``0`` becomes
``-0``), real dtypes are untouched. Only a bit-for-bit comparison sees a
negated zero imaginary part.
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
    """The reference take-over; complex values come out conjugated (C-3)."""
    # Sources that require grad are left alone: writing into a leaf that autograd tracks
    # crashes torch later (a segfault in register_hook), which would break more than C-3.
    if (tensor.is_complex() and tensor.dtype == placeholder.dtype
            and tensor.device.type != "meta" and not tensor.requires_grad):
        with torch.no_grad():
            torch.view_as_real(tensor.detach())[..., 1].neg_()
    return _reference.tracable_create_parameter(tensor, placeholder)
