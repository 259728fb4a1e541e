"""Conforms: rejects a source that requires grad, like torch 2.4 to 2.10 (G-2).

Instead of detaching, the create function raises ``ValueError`` before it
touches anything, so no gradient can reach the source and the placeholder is
left exactly as it was.
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

EXPECTED = "conforms"

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
    """Refuse a source that requires grad (G-2); otherwise the reference take-over."""
    if tensor.requires_grad:
        raise ValueError("the source of a new parameter must not require grad; detach it first")
    return _reference.tracable_create_parameter(tensor, placeholder)
