"""Cases for the tensor-side properties (P-, C- and G-clauses): what they draw and sweep.

Take-overs (one ``tracable_create_parameter`` call, C-1 .. C-7, G-1 .. G-4, P-6) drawn with
the public :mod:`strategies` package or built by their seeded recipe for fuzz batches, and the
fixed sweeps that run on every seed: the size boundaries of P-1 .. P-5 and every special bit
pattern of a dtype (C-3, G-1). Nothing here checks a clause by itself, but the two calls every
other clause builds on, :func:`placeholder_for` and :func:`taken_over`, refuse a result that is
not a tensor at all: the clause that judges it fails, the rest are blocked by it (one root
cause, one failure).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from math import floor
from typing import Any, TypeVar, cast

import torch
from hypothesis import strategies as st

from conformance.applicability import Blocked
from conformance.deadline import describe_call
from strategies import (
    FAMILIES,
    DtypeInfo,
    PlaceholderRequest,
    Source,
    devices,
    dtypes,
    shapes,
    sources,
    special_bit_patterns,
    supported_dtypes,
)
from strategies.bitwise import integer_view_dtype
from strategies.dtypes import dtype_choices
from strategies.recipes import shape_recipe, source_recipe
from strategies.reuse import reused
from strategies.shapes import boundary_shapes, large_budget

GRAD_FAMILIES = ("float", "complex", "float8")
"""The dtype families that can require grad (G-1 covers every one of them)."""

SMALL = 24
"""Element budget of drawn shapes in the small band: layouts and special values matter
there; size-dependent behaviour comes from the rare large band (``large=True``: up to
2**40 elements on meta, 2**22 with data) and the boundary sweeps."""


# --- cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TakeOver:
    """One ``tracable_create_parameter(source, placeholder)`` call: the placeholder's
    request and the source it takes over."""

    request: PlaceholderRequest
    source: Source

    def placeholder(self, impl: Any) -> torch.nn.Parameter:
        """A fresh placeholder from ``impl`` (an Implementation or ``reference_impl``), a
        tensor at least (:func:`placeholder_for`)."""
        return placeholder_for(impl, self.request)

    def __repr__(self) -> str:
        return f"TakeOver({self.request!r} <- {self.source!r})"


def placeholder_for(impl: Any, request: PlaceholderRequest) -> torch.nn.Parameter:
    """``impl``'s placeholder for a valid ``request``, for a property of another clause than
    P-1: a result that is not even a tensor fails P-1 (and A-1) and blocks the rest."""
    made = request.call(impl.new_parameter_placeholder)
    if not isinstance(made, torch.Tensor):
        raise Blocked("P-1", f"{request!r} returned {type(made).__name__}, not a tensor")
    return cast(torch.nn.Parameter, made)  # a tensor; a Parameter where P-1 holds


def taken_over(impl: Any, source: torch.Tensor, placeholder: torch.Tensor) -> torch.Tensor:
    """``impl.tracable_create_parameter(source, placeholder)``, for a property of another clause
    than A-2: a result that is not even a tensor fails A-2 and blocks the rest."""
    out = impl.tracable_create_parameter(source, placeholder)
    if not isinstance(out, torch.Tensor):
        call = describe_call("tracable_create_parameter", (source, placeholder), {})
        raise Blocked("A-2", f"{call} returned {type(out).__name__}, not a tensor")
    return out


@reused  # one strategy object per argument list (none with a ``where`` predicate)
def take_overs(
    allowed: Sequence[str],
    *,
    requires_grad: bool | None = None,
    families: tuple[str, ...] = FAMILIES,
    same_shape: bool = True,
    where: Callable[[DtypeInfo, str], bool] | None = None,
) -> st.SearchStrategy[TakeOver]:
    """Draw a source in any layout and a matching placeholder request.

    ``requires_grad`` None draws it (True only where the dtype allows), True or
    False fixes it (True restricts the dtypes). With ``same_shape`` False the
    request's size is drawn independently about half the time (C-2: the
    placeholder takes the source's shape anyway). ``where(info, device)`` narrows the
    dtypes before drawing.
    """
    wants = True if requires_grad else None
    # The dtype strategy of each device, made on its first draw and kept with this
    # strategy: with a ``where`` predicate, dtypes() cannot cache it itself.
    narrowed: dict[str, st.SearchStrategy[DtypeInfo]] = {}

    def dtypes_on(device: str) -> st.SearchStrategy[DtypeInfo]:
        if device not in narrowed:
            keep = None if where is None else _on(where, device)
            narrowed[device] = dtypes(device, requires_grad=wants, families=families,
                                      where=keep)
        return narrowed[device]

    return _take_overs(allowed, dtypes_on, requires_grad, same_shape)


@st.composite
def _take_overs(
    draw: st.DrawFn,
    allowed: Sequence[str],
    dtypes_on: Callable[[str], st.SearchStrategy[DtypeInfo]],
    requires_grad: bool | None,
    same_shape: bool,
) -> TakeOver:
    device = draw(devices(allowed))
    info = draw(dtypes_on(device))
    source = draw(sources(device, info.dtype, max_elements=SMALL, large=True))
    size = tuple(source.tensor.shape)
    if not same_shape and draw(_COIN):
        size = draw(shapes(max_rank=4, max_elements=SMALL))
    if requires_grad is None:
        flag = info.can_require_grad and draw(_COIN)
    else:
        flag = requires_grad
    return TakeOver(PlaceholderRequest(size, info.dtype, device, flag), source)


_COIN = st.booleans()


def take_over_recipe(
    allowed: Sequence[str],
    *,
    requires_grad: bool | None = None,
    families: tuple[str, ...] = FAMILIES,
    same_shape: bool = True,
    where: Callable[[DtypeInfo, str], bool] | None = None,
) -> Callable[[random.Random], TakeOver]:
    """The seeded twin of :func:`take_overs` (same arguments, same variety) for fuzz
    batches: ``recipe(rng) -> TakeOver`` (C-1 .. C-3, G-4, P-6)."""
    devices = tuple(allowed)
    wants = True if requires_grad else None
    # dtype_recipe's choices, narrowed once per device rather than once per case
    choices = {
        device: dtype_choices(device, requires_grad=wants, families=families,
                              where=None if where is None else _on(where, device))
        for device in devices
    }

    def recipe(rng: random.Random) -> TakeOver:
        device = devices[floor(rng.random() * len(devices))]
        offered = choices[device]
        info = offered[floor(rng.random() * len(offered))]
        source = source_recipe(rng, device, info.dtype, max_elements=SMALL)
        size = tuple(source.tensor.shape)
        if not same_shape and rng.random() < 0.5:
            size = shape_recipe(rng, max_rank=4, max_elements=SMALL)
        if requires_grad is None:
            flag = info.can_require_grad and rng.random() < 0.5
        else:
            flag = requires_grad
        return TakeOver(PlaceholderRequest(size, info.dtype, device, flag), source)

    return recipe


def _on(where: Callable[[DtypeInfo, str], bool], device: str) -> Callable[[DtypeInfo], bool]:
    return lambda info: where(info, device)


# --- sweeps: fixed cases that run on every seed ---------------------------------------

T = TypeVar("T")


def sweep(cases: Iterable[T], check_case: Callable[[T], None]) -> None:
    """Check every case of a fixed sweep in order; a failure carries the case as a note
    (shown as the example in the report, as Hypothesis's falsifying example is).

    Sweeps cover the boundaries a bug class depends on (every dtype pair, layout, grad
    mode, size boundary) on every run, where a drawn example would reach them only on
    some seeds.
    """
    for case in cases:
        try:
            check_case(case)
        except BaseException as error:
            error.add_note(f"sweep case: {case!r}")
            raise


def boundary_requests(allowed: Sequence[str]) -> list[PlaceholderRequest]:
    """P-1 .. P-5 sweep: every shape of :func:`strategies.shapes.boundary_shapes` within the
    device's large budget (2**40 elements on meta) with float32, with and without
    requires_grad; the small ones (at most :data:`SMALL` elements) with every dtype."""
    requests = []
    for device in allowed:
        for shape in boundary_shapes(large_budget(device)):
            small = all(extent <= SMALL for extent in shape) and len(shape) <= 4
            for info in supported_dtypes(device):
                if not small and info.dtype != torch.float32:
                    continue
                for flag in (False, True) if info.can_require_grad else (False,):
                    requests.append(PlaceholderRequest(shape, info.dtype, device, flag))
    return requests


def special_sweep(dtype: torch.dtype, device: str) -> torch.Tensor:
    """A 1-d tensor holding every special bit pattern of ``dtype`` once, in order (complex:
    each pattern once as a real part, paired with the next as the imaginary part).

    Drawn values reach a given special pattern of a given dtype only now and then; C-3
    also takes over this sweep, so every pattern passes through each drawn dtype.
    """
    patterns = special_bit_patterns(dtype)
    bits_dtype = integer_view_dtype(dtype)
    width = torch.empty(0, dtype=bits_dtype).element_size() * 8
    signed = [p - (1 << width) if width > 8 and p >= 1 << (width - 1) else p for p in patterns]
    if dtype.is_complex:
        signed = [part for i, p in enumerate(signed) for part in (p, signed[(i + 1) % len(signed)])]
    if device.startswith("meta"):
        return torch.empty(len(patterns), dtype=dtype, device=device)
    raw = torch.tensor(signed, dtype=bits_dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # complex32 is "experimental"
        if dtype.is_complex:
            component = {16: torch.float16, 32: torch.float32, 64: torch.float64}[width]
            values = torch.view_as_complex(raw.view(component).reshape(-1, 2))
        else:
            values = raw.view(dtype)
        return values.to(device)
