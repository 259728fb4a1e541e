"""Breaks E-3: a placeholder requested with a ``torch.device`` follows the ambient grad mode.

Requests with a device string (every unit clause, P-8 included) get exactly
the requested ``requires_grad``. Dynamo passes a ``torch.device`` and calls the
constructor at the start of each call of compiled code, so a compiled call
under ``no_grad`` returns a parameter that does not require grad and never
trains.
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

BREAKS = "E-3"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def _new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    if isinstance(device, torch.device):
        requires_grad = requires_grad and torch.is_grad_enabled()
    return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)


_new_parameter_placeholder.__name__ = "new_parameter_placeholder"
_new_parameter_placeholder.__qualname__ = "new_parameter_placeholder"
new_parameter_placeholder = torch.compiler.disable(_new_parameter_placeholder)
