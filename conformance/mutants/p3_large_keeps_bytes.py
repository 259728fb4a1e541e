"""Breaks P-3, only above 2**16 elements: a large placeholder keeps its bytes.

A "large-tensor path" skips releasing the storage of big requests (to avoid
reallocating them on the take-over), so any request of more than 65,536
elements owns a full allocation; smaller ones are right.
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

THRESHOLD = 2**16


def new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    """Like the reference, but a request above :data:`THRESHOLD` elements keeps its
    storage (P-3)."""
    shape = tuple(int(extent) for extent in size)
    count = 1
    for extent in shape:
        count *= extent
    if count <= THRESHOLD or min(shape) < 0 or (
            requires_grad and not (dtype.is_floating_point or dtype.is_complex)):
        return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
    data = torch.empty(shape, dtype=dtype, device=device)
    return torch.nn.Parameter(data, requires_grad=requires_grad)
