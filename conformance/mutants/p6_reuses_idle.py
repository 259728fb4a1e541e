"""Breaks P-6: an untouched placeholder is handed out again for an identical request.

The constructor remembers the last placeholder per request and returns it
while it still has 0 bytes, no gradient and the requested shape ("nobody used
it yet"). Two callers then hold the same object: taking over a source with
one changes the other.
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

BREAKS = "P-6"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_last: dict[tuple[object, ...], torch.nn.Parameter] = {}


def new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    """Like the reference, but an idle placeholder is shared (P-6)."""
    key = (tuple(int(extent) for extent in size), dtype, str(device), bool(requires_grad))
    idle = _last.get(key)
    if (idle is not None and idle.untyped_storage().nbytes() == 0
            and tuple(idle.shape) == key[0] and idle.grad is None
            and idle.is_contiguous() and idle.storage_offset() == 0):
        return idle
    fresh = _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
    _last[key] = fresh
    return fresh
