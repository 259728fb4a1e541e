"""Breaks C-1, only for non-contiguous sources: they are made contiguous (a copy) first.

Contiguous sources are aliased as they should be; a transposed or sliced
source is silently copied, so the parameter no longer sees the source's
later in-place changes. (The copy's strides differ too, so C-2 may also report it.)
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

BREAKS = "C-1"

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
    """The reference take-over of ``tensor.contiguous()`` (C-1)."""
    return _reference.tracable_create_parameter(tensor.contiguous(), placeholder)
