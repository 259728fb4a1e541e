"""Breaks P-2, only for an extent above 2**31 - 1: it saturates at the int32 maximum.

Sizes pass through a 32-bit integer field, so a requested extent of 2**31 or
more comes out as 2**31 - 1 (reachable on ``meta``, where such a request costs
nothing); every extent that fits in int32 is right.
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

INT32_MAX = 2**31 - 1


def new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    """The reference with every extent clamped to :data:`INT32_MAX` (P-2)."""
    clamped = [min(int(extent), INT32_MAX) for extent in size]
    return _reference.new_parameter_placeholder(clamped, dtype, device, requires_grad)
