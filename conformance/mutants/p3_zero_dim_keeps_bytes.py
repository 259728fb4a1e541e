"""Breaks P-3, only for 0-d requests: their storage keeps its bytes.

The storage is released with a loop over the dimensions, which never runs for
a 0-d tensor, so a scalar placeholder allocates one element.
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

BREAKS = "P-3"

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
    """Like the reference, but a 0-d placeholder has real storage (P-3)."""
    if len(tuple(size)) == 0:
        data = torch.empty((), dtype=dtype, device=device)
        return torch.nn.Parameter(data, requires_grad=requires_grad)
    return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
