"""Breaks E-1: the take-over hangs under ``torch.compile``.

Eagerly it is the reference (every unit clause passes); on fake tensors it
waits for an event nobody sets, so compilation never finishes. The compiled
call's deadline (the implementation's, plus room for a first compile) turns the
hang into a failure of E-1 naming the call, and the run goes on.
"""

from __future__ import annotations

import threading

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

never = threading.Event()


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference eagerly; never returns on fake tensors (E-1)."""
    if on_fake(tensor):
        never.wait()
    return _reference.tracable_create_parameter(tensor, placeholder)
