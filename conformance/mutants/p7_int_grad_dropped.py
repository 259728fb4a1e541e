"""Breaks P-7 for integer and bool dtypes: requires_grad=True is silently dropped.

Instead of raising, the constructor returns a placeholder that does not
require grad, so the mistake surfaces much later as a parameter that never trains.
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
    """Like the reference, but an impossible requires_grad is ignored (P-7)."""
    if not (dtype.is_floating_point or dtype.is_complex):
        requires_grad = False
    return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
