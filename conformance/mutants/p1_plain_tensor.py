"""Breaks P-1: the placeholder is a plain ``torch.Tensor``, not an ``nn.Parameter``.

Shape, dtype, device, ``requires_grad`` and the zero-byte storage are all
right; only the type is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

import reference_impl as _reference
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
) -> Any:
    """The reference placeholder's tensor without the Parameter wrapper (P-1)."""
    parameter = _reference.new_parameter_placeholder(size, dtype, device, False)
    return parameter.data.requires_grad_(requires_grad)
