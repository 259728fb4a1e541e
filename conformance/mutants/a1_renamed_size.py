"""Breaks A-1: the constructor's first parameter is called ``shape``, not ``size``.

Positional calls still work; a keyword call ``size=...`` (as Dynamo's graph
may record it) raises ``TypeError``.
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

BREAKS = "A-1"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def new_parameter_placeholder(
    shape: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    """The reference constructor under a renamed first parameter (A-1)."""
    return _reference.new_parameter_placeholder(shape, dtype, device, requires_grad)
