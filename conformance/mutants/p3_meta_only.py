"""Breaks P-3, only on the meta device: meta placeholders keep a storage of full size.

The storage release is skipped for ``meta`` ("it has no data anyway"), but a
meta tensor's storage still reports its nominal byte count.
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
    """Like the reference, but without releasing meta storage (P-3)."""
    if torch.device(device).type == "meta":
        data = torch.empty(tuple(size), dtype=dtype, device=device)
        if data.untyped_storage().nbytes() > 0:
            return torch.nn.Parameter(data, requires_grad=requires_grad)
    return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
