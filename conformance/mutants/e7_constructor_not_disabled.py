"""Breaks E-7: the placeholder constructor ships without ``torch.compiler.disable``.

A correct constructor living outside torch: compiled code calls it by module
and name, Dynamo compiles it, meets ``nn.Parameter`` inside it and recurses
(``RecursionError`` without ``fullgraph``). Every E MUST clause still passes:
the suite judges those with the constructor placed as torch places its own.
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

BREAKS = "E-7"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def new_parameter_placeholder(
    size: Sequence[int], dtype: torch.dtype, device: torch.device | str, requires_grad: bool
) -> torch.nn.Parameter:
    """The reference's constructor, written out here and not disabled (E-7)."""
    shape = tuple(int(extent) for extent in size)
    if any(extent < 0 for extent in shape):
        raise ValueError(f"placeholder size {shape} has a negative dimension")
    if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"a placeholder of dtype {dtype} cannot require grad")
    data = torch.empty(shape, dtype=dtype, device=device)
    data.untyped_storage().resize_(0)
    return torch.nn.Parameter(data, requires_grad=requires_grad)
