"""Breaks P-4, only when requires_grad=True: the placeholder comes with a zero .grad.

Pre-allocating the gradient "to save an allocation later" makes grad not
None; the values are zeros of the right shape, so accumulation still sums right.
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

BREAKS = "P-4"

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
    """Like the reference, but a trainable placeholder has a zero gradient (P-4)."""
    parameter = _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
    if requires_grad:
        parameter.grad = torch.zeros(tuple(size), dtype=dtype, device=device)
    return parameter
