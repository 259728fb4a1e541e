"""Breaks P-7 for negative sizes: they are clamped to 0 instead of raising.

(2, -3) gives a (2, 0) placeholder; integer dtypes with
requires_grad=True still raise.
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

BREAKS = "P-7"

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
    """Like the reference, but negative extents become 0 (P-7)."""
    shape = tuple(max(int(extent), 0) for extent in size)
    return _reference.new_parameter_placeholder(shape, dtype, device, requires_grad)
