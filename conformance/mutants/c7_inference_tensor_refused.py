"""Breaks C-7, only for inference tensors: a source made under inference mode is refused.

The take-over raises ``RuntimeError`` when the source is an inference tensor,
as a cautious implementation might, although the contract requires weights
loaded under ``torch.inference_mode()`` (pytorch/pytorch#161191) to become
trainable parameters. Every other source is taken over as the reference does.
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

BREAKS = "C-7"

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
    """The reference take-over, refusing inference tensors (C-7)."""
    if tensor.is_inference():
        raise RuntimeError("refusing to make a parameter from an inference tensor")
    return _reference.tracable_create_parameter(tensor, placeholder)
