"""Breaks G-4: the gradient reaches the placeholder by hand, not through the graph.

The output hangs off a private anchor leaf instead of the placeholder, and
backward writes ``placeholder.grad`` itself (sum on repeat). Values (G-1) and
accumulation (G-3) are right, but the placeholder's ``AccumulateGrad`` node is
not in the output's graph, so hooks and optimizers that walk the graph miss it.
"""

from __future__ import annotations

from typing import Any

import torch

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "G-4"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class _ManualAccumulate(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, anchor: torch.Tensor, tensor: torch.Tensor,
                holder: list[torch.nn.Parameter]) -> torch.Tensor:
        placeholder = holder[0]
        ctx.placeholder = placeholder
        with torch.no_grad():
            placeholder.set_(tensor)  # type: ignore[call-overload]
        return placeholder.detach().view_as(placeholder)

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[None, None, None]:
        placeholder = ctx.placeholder
        grad = grads[0]
        if placeholder.grad is None:
            placeholder.grad = grad.clone()
        else:
            placeholder.grad = placeholder.grad + grad
        return None, None, None


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The take-over with hand-written gradient accumulation (G-4)."""
    _reference._check_compatible(tensor, placeholder)
    if not placeholder.requires_grad:
        return _reference.tracable_create_parameter(tensor, placeholder)
    anchor = torch.zeros((), requires_grad=True)
    with torch.enable_grad():
        out: torch.Tensor = _ManualAccumulate.apply(anchor, tensor.detach(), [placeholder])
    return out
