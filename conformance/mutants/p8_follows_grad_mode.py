"""Breaks P-8, only under no_grad: the placeholder's requires_grad follows grad mode.

requires_grad and torch.is_grad_enabled() is the bug: a parameter built
inside torch.no_grad() (as in #126960) never trains.
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
    """Like the reference, but requires_grad is masked by the ambient grad mode (P-8)."""
    wanted = requires_grad and torch.is_grad_enabled()
    return _reference.new_parameter_placeholder(size, dtype, device, wanted)
