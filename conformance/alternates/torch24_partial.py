"""Partial, like torch 2.4: no switch names at all, and a source that requires grad is rejected.

The suite must report the clauses that need the switch as ``missing-api``
(never crash, never fail) and pass everything else, P-8 included: its property
checks the switch half only where the switch exists.
"""

from __future__ import annotations

import torch

import reference_impl as _reference
from reference_impl import TracableCreateParameter, new_parameter_placeholder

EXPECTED_MISSING = (
    "A-3", "A-4", "S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8", "S-9", "S-10",
    "E-5",
)
MAY_BE_MISSING: tuple[str, ...] = ()

__all__ = ["TracableCreateParameter", "new_parameter_placeholder", "tracable_create_parameter"]


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over, refusing a source that requires grad (as 2.4 asserted; G-2)."""
    if tensor.requires_grad:
        raise RuntimeError("tracable_create_parameter: the source must not require grad")
    return _reference.tracable_create_parameter(tensor, placeholder)
