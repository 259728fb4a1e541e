"""Breaks E-4: under compile the placeholder takes over a copy of the source.

Eagerly the parameter aliases the source (C-1 passes); on fake tensors the
take-over clones first, so in compiled code an in-place update of the fresh
parameter no longer shows through the intermediate it was built from.
"""

from __future__ import annotations

import torch

import reference_impl as _reference
from conformance.mutants._compiling import on_fake
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "E-4"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference eagerly; a take-over of a clone on fake tensors (E-4)."""
    if on_fake(tensor):
        tensor = tensor.clone()
    return _reference.tracable_create_parameter(tensor, placeholder)
