"""Breaks E-1 by crashing the process: the take-over assigns ``placeholder.data`` under compile.

Eagerly it takes over through the reference's autograd function; on fake
tensors it rebinds ``placeholder.data`` to the source instead, which takes the
interpreter down with a segmentation fault (torch 2.13, CPU). The suite must
fail E-1 for it and finish the run.
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

BREAKS = "E-1"

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
    """The reference eagerly; a process crash under compile (E-1)."""
    if on_fake(tensor):
        placeholder.data = tensor
        return placeholder
    return _reference.tracable_create_parameter(tensor, placeholder)
