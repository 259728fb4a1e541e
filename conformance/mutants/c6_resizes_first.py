"""Breaks C-6: the placeholder's storage is grown to the source's size before the dtype check.

A "reserve the memory first" step: a matching source is then taken over as
usual (the reserved storage is dropped), but a mismatched one raises after the
placeholder already owns freshly allocated bytes.
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

BREAKS = "C-6"

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
    """Reserve first, check second (C-6)."""
    placeholder.untyped_storage().resize_(tensor.untyped_storage().nbytes())
    return _reference.tracable_create_parameter(tensor, placeholder)
