"""Breaks C-2, only for a source with a stride above 2**31 - 1: it saturates in int32.

The take-over rebuilds the source's layout from strides held in 32-bit
integers, so a stride of 2**31 or more (a dim after one of more than 2**31
elements, reachable on ``meta``) comes out as 2**31 - 1. Storage, offset,
shape and every smaller stride are right.
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

BREAKS = "C-2"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

INT32_MAX = 2**31 - 1


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over of a view whose strides are clamped to :data:`INT32_MAX`
    (C-2)."""
    strides = tuple(tensor.stride())
    if max(strides, default=0) > INT32_MAX and tensor.dtype == placeholder.dtype \
            and tensor.device == placeholder.device:
        clamped = tuple(min(stride, INT32_MAX) for stride in strides)
        with torch.no_grad():
            tensor = tensor.detach().as_strided(tensor.shape, clamped, tensor.storage_offset())
    return _reference.tracable_create_parameter(tensor, placeholder)
