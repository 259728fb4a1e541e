"""Breaks E-1: the take-over records the source's data pointer, which fake tensors lack.

Eagerly (every unit clause) reading ``untyped_storage().data_ptr()`` is
harmless; under ``torch.compile`` the source is a fake tensor without data, so
compilation raises and compiled code never matches eager.
"""

from __future__ import annotations

import torch

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "E-1"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

taken_over: list[int] = []


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over, remembering where the source's bytes were (E-1)."""
    taken_over[:] = [tensor.untyped_storage().data_ptr()]
    return _reference.tracable_create_parameter(tensor, placeholder)
