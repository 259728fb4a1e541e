"""Breaks P-2, only for 0-d requests: ``size=()`` gives a placeholder of shape ``(1,)``.

A classic ``max(ndim, 1)`` slip. Every other shape is exact, and the
take-over still adopts the source's 0-d shape, so only the placeholder's own
metadata is wrong.
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
    """Like the reference, but a 0-d request becomes a 1-element vector (P-2)."""
    shape = tuple(size) or (1,)
    return _reference.new_parameter_placeholder(shape, dtype, device, requires_grad)
