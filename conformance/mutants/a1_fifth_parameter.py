"""Breaks A-1: the constructor requires a fifth parameter, ``layout``.

A real prototype did this. No call with the contract's four arguments can
succeed, so every clause that needs a placeholder is ``blocked`` by A-1 (one
root cause, one failure) rather than failing with twenty tracebacks.
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
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool,
    layout: torch.layout,
) -> torch.nn.Parameter:
    """The reference constructor behind a required fifth parameter (A-1)."""
    assert layout == torch.strided
    return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
