"""Breaks E-8: the take-over traces a different graph when inductor compiles it.

Stands for a take-over that is right eagerly and under ``aot_eager`` but wrong
once inductor lowers it (inductor traces with its own decompositions): while
inductor's ``compile_fx`` is on the stack, the traced source is negated. Every
unit clause and E-1..E-7 pass; only ``backend="inductor"`` (nightly) sees it.
"""

from __future__ import annotations

import sys

import torch

import reference_impl as _reference
from conformance.mutants._compiling import on_fake
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "E-8"
PROFILE = "nightly"
"""E-8 is checked only by the nightly profile: the kill matrix runs this mutant under it."""

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]

_INDUCTOR_ENTRY = "compile_fx.py"


def _inductor_compiling() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.endswith(_INDUCTOR_ENTRY) and (
                "_inductor" in frame.f_code.co_filename):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference, except on inductor's trace, where it takes over ``-tensor`` (E-8)."""
    if on_fake(tensor) and _inductor_compiling():
        tensor = tensor.neg()
    return _reference.tracable_create_parameter(tensor, placeholder)
