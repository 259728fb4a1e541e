"""Breaks E-2: single-precision placeholders requested with a ``torch.device`` are interned.

The constructor caches the parameter per request when ``device`` is a
``torch.device`` object and the dtype is not double precision. Unit clauses
pass devices as strings (gradcheck, which passes a ``torch.device``, uses double
precision) and never see it; Dynamo passes ``torch.device``, so every call of
compiled code gets the same parameter, rebound to the newest data: two calls
share one parameter.
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

BREAKS = "E-2"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_interned: dict[tuple[object, ...], torch.nn.Parameter] = {}


def _new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    if not isinstance(device, torch.device) or dtype in (torch.float64, torch.complex128):
        return _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
    key = (tuple(int(extent) for extent in size), dtype, device, bool(requires_grad))
    if key not in _interned:
        _interned[key] = _reference.new_parameter_placeholder(size, dtype, device, requires_grad)
    return _interned[key]


_new_parameter_placeholder.__name__ = "new_parameter_placeholder"
_new_parameter_placeholder.__qualname__ = "new_parameter_placeholder"
new_parameter_placeholder = torch.compiler.disable(_new_parameter_placeholder)
