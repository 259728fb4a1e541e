"""Conforms: the autograd Function uses the ``setup_context`` style (C-1, G-1 .. G-4).

``forward`` takes no ``ctx`` and a separate ``setup_context`` records nothing
(backward needs nothing); torch runs both under no-grad exactly as the
classic style, so aliasing, gradients and the graph are the same.
"""

from __future__ import annotations

from typing import Any

import torch

import reference_impl as _reference
from reference_impl import (
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

EXPECTED = "conforms"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class TracableCreateParameter(torch.autograd.Function):
    """Take-over with a separate ``setup_context``; gradient goes to the placeholder only."""

    @staticmethod
    def forward(tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        return placeholder.set_(tensor)  # type: ignore[call-overload]

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        pass

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, grads[0]


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """Check, force grad mode to the placeholder's, apply (C-4 .. C-6, G-2)."""
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        out: torch.Tensor = TracableCreateParameter.apply(tensor.detach(), placeholder)
    return out
