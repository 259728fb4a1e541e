"""Breaks E-6: in Dynamo's fake run the take-over's output does not require grad.

The take-over runs under ``no_grad`` when its source is a plain fake tensor
(Dynamo's own fake run of the graph node, never the eager calls of the unit
clauses). Dynamo then believes the parameter needs no gradient, and
``torch.autograd.grad(loss, [w])`` inside compiled code cannot be traced.
"""

from __future__ import annotations

import torch

import reference_impl as _reference
from conformance.mutants._compiling import in_dynamo_fake_run
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "E-6"

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
    """The reference, except under ``no_grad`` in Dynamo's fake run (E-6)."""
    if in_dynamo_fake_run(tensor):
        _reference._check_compatible(tensor, placeholder)
        with torch.no_grad():
            return _reference.TracableCreateParameter.apply(tensor.detach(), placeholder)
    return _reference.tracable_create_parameter(tensor, placeholder)
