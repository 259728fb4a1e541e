"""Breaks P-5, only for 4-d requests: the placeholder has channels-last strides.

A "performance" choice of memory format; shape, dtype and the zero-byte
storage stay right, and the take-over adopts the source's strides anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    tracable_create_parameter,
)

BREAKS = "P-5"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    """Like the reference, but 4-d placeholders are laid out channels-last (P-5)."""
    shape = tuple(int(extent) for extent in size)
    if len(shape) != 4 or min(shape) < 0 or (requires_grad and not dtype.is_floating_point
                                             and not dtype.is_complex):
        return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
    data = torch.empty(shape, dtype=dtype, device=device, memory_format=torch.channels_last)
    data.untyped_storage().resize_(0)
    return torch.nn.Parameter(data, requires_grad=requires_grad)
