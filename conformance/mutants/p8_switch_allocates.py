"""Breaks P-8, only while the switch is off: the placeholder then keeps its bytes.

The constructor consults can_convert_to_tracable_parameter() ("no take-over
will come, so allocate real data"), so its result depends on the switch state.
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

BREAKS = "P-8"

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
    """Like the reference while the switch is on; allocated storage while it is off (P-8)."""
    placeholder = _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
    if _reference.can_convert_to_tracable_parameter():
        return placeholder
    data = torch.empty(tuple(placeholder.shape), dtype=dtype, device=device)
    return torch.nn.Parameter(data, requires_grad=requires_grad)
