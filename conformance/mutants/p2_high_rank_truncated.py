"""Breaks P-2, only for high-rank requests: sizes of rank 5 or more lose their trailing dims.

The placeholder of a ``(2, 1, 3, 1, 2)`` request has shape ``(2, 1, 3, 1)``;
real code that packs shapes into a fixed 4-slot struct fails this way.
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

BREAKS = "P-2"

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
    """Like the reference, but only the first four extents are kept (P-2)."""
    return _reference.new_parameter_placeholder(tuple(size)[:4], dtype, device, requires_grad)
