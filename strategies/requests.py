"""Placeholder requests: the arguments of ``new_parameter_placeholder`` (P-1 .. P-8).

A :class:`PlaceholderRequest` is a frozen record of one call whose repr reads like the
call itself, so a falsifying example can be pasted into a shell. Valid requests keep
``requires_grad`` consistent with the dtype; :func:`invalid_placeholder_requests` draws
the requests P-7 says must raise, each tagged with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from hypothesis import strategies as st

from strategies.devices import devices as device_strategy
from strategies.dtypes import dtypes as dtype_strategy
from strategies.reuse import integers, reused
from strategies.shapes import DEFAULT_MAX_ELEMENTS, Shape, large_budget, shapes

__all__ = [
    "INVALID_REASONS",
    "InvalidPlaceholderRequest",
    "PlaceholderRequest",
    "invalid_placeholder_requests",
    "placeholder_requests",
]


@dataclass(frozen=True)
class PlaceholderRequest:
    """The four arguments of one ``new_parameter_placeholder`` call."""

    size: Shape
    dtype: torch.dtype
    device: str
    requires_grad: bool

    def call(self, constructor: Callable[..., Any]) -> Any:
        """Call ``constructor(size, dtype, device, requires_grad)`` positionally."""
        return constructor(self.size, self.dtype, self.device, self.requires_grad)

    def __repr__(self) -> str:
        return (
            f"new_parameter_placeholder(size={self.size!r}, dtype={self.dtype}, "
            f"device={self.device!r}, requires_grad={self.requires_grad})"
        )


INVALID_REASONS: tuple[str, ...] = ("non-differentiable dtype requires grad", "negative size")


@dataclass(frozen=True)
class InvalidPlaceholderRequest:
    """A request P-7 says must raise, and why."""

    request: PlaceholderRequest
    reason: str

    def __repr__(self) -> str:
        return f"{self.request!r}  # invalid: {self.reason}"


@reused  # not cached with a ``size`` strategy (a strategy is no key)
@st.composite
def placeholder_requests(
    draw: st.DrawFn,
    devices: Sequence[str],
    *,
    requires_grad: bool | None = None,
    size: st.SearchStrategy[Shape] | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    large: bool = False,
) -> PlaceholderRequest:
    """Draw a valid request on one of ``devices``.

    ``requires_grad=None`` draws it (True only for a dtype that can require grad);
    ``True``/``False`` fixes it, restricting the dtypes for ``True``. With ``large`` the
    size comes now and then from the large band of :func:`strategies.shapes.shapes`, up to
    :func:`strategies.shapes.large_budget` of the drawn device (2**40 elements on ``meta``).
    Shrinks to ``((), float32, devices[0], False)``.
    """
    device = draw(device_strategy(devices))
    grad_filter = True if requires_grad else None
    info = draw(dtype_strategy(device, requires_grad=grad_filter))
    if size is None:
        size = shapes(max_elements=max_elements,
                      large_elements=large_budget(device) if large else None)
    shape = draw(size)
    flag = draw(_COIN)  # drawn always, so shrinking prefers float32 over int64
    wants_grad = (info.can_require_grad and flag) if requires_grad is None else requires_grad
    return PlaceholderRequest(tuple(shape), info.dtype, device, wants_grad)


@reused
@st.composite
def invalid_placeholder_requests(
    draw: st.DrawFn, devices: Sequence[str], *, max_elements: int = DEFAULT_MAX_ELEMENTS
) -> InvalidPlaceholderRequest:
    """Draw a request that must raise (P-7): an integer or bool dtype with
    ``requires_grad=True``, or a size with a negative extent (any dtype)."""
    device = draw(device_strategy(devices))
    reason = draw(_REASONS)
    shape = draw(shapes(max_elements=max_elements))
    if reason == INVALID_REASONS[0]:
        info = draw(dtype_strategy(device, requires_grad=False))
        request = PlaceholderRequest(tuple(shape), info.dtype, device, True)
    else:
        info = draw(dtype_strategy(device))
        position = draw(integers(0, len(shape)))
        negative = draw(_NEGATIVES)
        bad = (*shape[:position], negative, *shape[position:])
        grad = info.can_require_grad and draw(_COIN)  # never the other P-7 case
        request = PlaceholderRequest(bad, info.dtype, device, grad)
    return InvalidPlaceholderRequest(request, reason)


_COIN = st.booleans()
_REASONS = st.sampled_from(INVALID_REASONS)
_NEGATIVES = st.integers(-3, -1)
