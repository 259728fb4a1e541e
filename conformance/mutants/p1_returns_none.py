"""Breaks P-1: the placeholder constructor returns ``None``, not a tensor at all.

The stub an implementation starts as. P-1 fails (and A-1, whose keyword call gets
``None`` too); every property of another clause that needs a placeholder is blocked by
P-1 instead of failing on ``None``: one root cause, one failure. Invalid requests get
``None`` as well instead of an error, which P-7 judges on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    tracable_create_parameter,
)

BREAKS = "P-1"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> None:
    """Nothing (P-1)."""
    return None
