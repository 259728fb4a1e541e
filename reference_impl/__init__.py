"""Reference implementation of the create-parameter API, written from SPEC.md.

This package is the executable form of the contract: every behaviour below is
chosen because a SPEC clause demands it (clause IDs in the docstrings). It
depends on nothing but torch and the standard library.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def new_parameter_placeholder(
    size: Sequence[int],
    dtype: torch.dtype,
    device: torch.device | str,
    requires_grad: bool,
) -> torch.nn.Parameter:
    """Return a metadata-only ``nn.Parameter`` (P-1 .. P-8).

    The tensor has the requested shape, dtype, device and ``requires_grad``
    (P-2), contiguous strides at offset 0 (P-5), and a storage of zero bytes
    (P-3) that belongs to it alone (P-6). Invalid requests raise before any
    tensor exists (P-7).
    """
    shape = tuple(int(extent) for extent in size)
    negative = [extent for extent in shape if extent < 0]
    if negative:
        raise ValueError(f"placeholder size {shape} has a negative dimension {negative[0]}")
    if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"a placeholder of dtype {dtype} cannot require grad")
    data = torch.empty(shape, dtype=dtype, device=device)
    # Keep the metadata, drop the bytes: the placeholder only describes a tensor.
    data.untyped_storage().resize_(0)
    return torch.nn.Parameter(data, requires_grad=requires_grad)


# Compiled code calls the constructor again on every call, found by module and name. Dynamo
# never compiles torch's own files, but it would compile this one and, building a parameter
# inside it, recurse: the module attribute is the disabled wrapper, so lookup finds it (E-7).
new_parameter_placeholder = torch.compiler.disable(new_parameter_placeholder)


class TracableCreateParameter(torch.autograd.Function):
    """Autograd node that makes a placeholder take over a tensor (C-1, G-1).

    Forward rebinds the placeholder onto the source's storage and metadata;
    backward hands the incoming gradient to the placeholder untouched and
    nothing to the source (G-2).
    """

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> torch.Tensor:
        return placeholder.set_(tensor)  # type: ignore[call-overload]

    @staticmethod
    def backward(ctx: Any, *grad_outputs: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, grad_outputs[0]


def _check_compatible(tensor: torch.Tensor, placeholder: torch.nn.Parameter) -> None:
    """Refuse a source the placeholder cannot take over, before touching it (C-6)."""
    if tensor.dtype != placeholder.dtype:
        raise RuntimeError(
            f"source dtype {tensor.dtype} does not match placeholder dtype {placeholder.dtype}"
        )
    if tensor.device != placeholder.device:
        raise RuntimeError(
            f"source device {tensor.device} does not match placeholder device {placeholder.device}"
        )


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """Make ``placeholder`` take over ``tensor`` and return the differentiable alias.

    Grad mode is forced to ``placeholder.requires_grad`` for the call only
    (C-4, C-5), so a parameter created under ``no_grad`` still gets gradients.
    A source that requires grad is detached, so no gradient can reach it (G-2).
    """
    _check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return TracableCreateParameter.apply(tensor.detach(), placeholder)


class _ThreadSwitch:
    """One thread's switch. A context keeps the state object of the thread that entered
    it, so its cleanup restores that thread even when it runs elsewhere (S-10)."""

    def __init__(self) -> None:
        self.enabled = True


_local = threading.local()


def _this_thread() -> _ThreadSwitch:
    state: _ThreadSwitch | None = getattr(_local, "switch", None)
    if state is None:
        state = _local.switch = _ThreadSwitch()
    return state


def can_convert_to_tracable_parameter() -> bool:
    """Read this thread's switch; True where the context was never entered (S-1, S-6)."""
    return _this_thread().enabled


@contextmanager
def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
    """Turn this thread's switch off for the block and yield False (S-2 .. S-5).

    The previous value comes back on every way out of the block, so nesting
    and exceptions restore exactly what was there before; it goes back to the
    entering thread's state, even when a context abandoned by a thread that
    ended is finalised in another thread (S-8, S-10).
    """
    state = _this_thread()
    previous = state.enabled
    state.enabled = False
    try:
        yield False
    finally:
        state.enabled = previous
