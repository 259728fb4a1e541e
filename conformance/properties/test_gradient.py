"""G-clauses: the gradient reaches the placeholder, exactly, and nothing else.

One clause per test. Placeholders are requested with the source's shape and
``requires_grad=True`` in every dtype family that can require grad (float,
complex, float8); upstream gradients come from
:func:`strategies.upstream_gradients` (special bit patterns, any layout). On
``meta`` only metadata is compared. G-3 and G-4 also compare the implementation with
the reference; G-1 needs no such comparison, since it fixes the gradient bit for bit. In
fuzz mode the tensor-side cases come from seeded recipes (:mod:`strategies.recipes`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.autograd.gradcheck import GradcheckError

from conformance.applicability import NotApplicable
from conformance.batch import draw_cases
from conformance.implementation import Implementation
from conformance.properties._autograd_graph import accumulated_variables, graph_nodes
from conformance.properties._cases import (
    GRAD_FAMILIES,
    TakeOver,
    placeholder_for,
    special_sweep,
    sweep,
    take_over_recipe,
    take_overs,
    taken_over,
)
from conformance.properties._reference_comparison import (
    REFERENCE,
    check_same_as_reference,
    check_same_bits_as_reference,
    is_reference,
)
from conformance.properties._tensor_facts import Metadata, can_add, clone_exact
from conformance.violation import check
from strategies import (
    DtypeInfo,
    PlaceholderRequest,
    Source,
    applicable_layouts,
    build_source,
    has_data,
    shapes,
    supported_dtypes,
    upstream_gradients,
)
from strategies.bitwise import first_bitwise_difference
from strategies.recipes import rearranged_recipe
from strategies.reuse import reused
from strategies.shapes import numel


@dataclass(frozen=True)
class Backward:
    """A take-over whose output gets ``len(upstreams)`` backward passes."""

    case: TakeOver
    upstreams: tuple[torch.Tensor, ...]

    def __repr__(self) -> str:
        layouts = ", ".join(
            f"stride={tuple(g.stride())}" for g in self.upstreams
        )
        return f"{self.case!r}; upstream [{layouts}]"


def _addable(info: DtypeInfo, device: str) -> bool:
    """G-3: dtypes torch can add on ``device`` (the accumulated gradient is a sum)."""
    return can_add(info.dtype, device)


@reused  # with ``addable`` a predicate goes in, so take_overs() cannot cache it itself
def _grad_take_overs(allowed: Sequence[str], addable: bool) -> st.SearchStrategy[TakeOver]:
    return take_overs(allowed, requires_grad=True, families=GRAD_FAMILIES,
                      where=_addable if addable else None)


@reused
@st.composite
def backwards(
    draw: st.DrawFn, allowed: Sequence[str], *, passes: int = 1, addable: bool = False
) -> Backward:
    """A take-over (placeholder requires grad, request shape = source shape) plus ``passes``
    upstream gradients; ``addable`` keeps dtypes torch can add (G-3)."""
    case = draw(_grad_take_overs(allowed, addable))
    upstreams = tuple(draw(upstream_gradients(case.source.tensor)) for _ in range(passes))
    return Backward(case, upstreams)


def backward_recipe(
    allowed: Sequence[str], *, passes: int = 1, addable: bool = False
) -> Callable[[random.Random], Backward]:
    """The seeded twin of :func:`backwards` for fuzz batches (G-1 .. G-3)."""
    take_over = take_over_recipe(allowed, requires_grad=True, families=GRAD_FAMILIES,
                                 where=_addable if addable else None)

    def recipe(rng: random.Random) -> Backward:
        case = take_over(rng)
        like = case.source.tensor
        return Backward(case, tuple(rearranged_recipe(rng, like) for _ in range(passes)))

    return recipe


def _run(impl: Any, case: TakeOver, upstreams: Sequence[torch.Tensor]) -> torch.nn.Parameter:
    """Take over with a fresh placeholder from ``impl``, backward once per upstream gradient
    (keeping the graph for all but the last); return the placeholder."""
    placeholder = case.placeholder(impl)
    out = taken_over(impl, case.source.tensor, placeholder)
    for number, upstream in enumerate(upstreams):
        out.backward(clone_exact(upstream), retain_graph=number < len(upstreams) - 1)
    return placeholder


# --- G-1: gradient identity --------------------------------------------------------------


def check_gradient_identity(impl: Implementation, drawn: Backward) -> None:
    """G-1: after one backward pass placeholder.grad equals the upstream gradient bit for bit
    (which fixes it completely: no comparison with the reference is needed)."""
    _check_identity(impl, drawn)


@pytest.mark.clause("G-1")
def test_gradient_identity_special_patterns(cp_impl: Implementation,
                                            cp_devices: tuple[str, ...]) -> None:
    """G-1: a sweep of every special bit pattern (every NaN payload, -0.0, ...) is sent back
    as the upstream gradient in every dtype that can require grad, on every device, so a rare
    dtype need not be drawn to be checked. Deterministic, so it runs once."""
    for device in cp_devices:
        for info in supported_dtypes(device):
            if not info.can_require_grad:
                continue
            sweep = special_sweep(info.dtype, device)
            request = PlaceholderRequest(tuple(sweep.shape), info.dtype, device, True)
            swept = TakeOver(request, Source(sweep, "contiguous"))
            _check_identity(cp_impl, Backward(swept, (clone_exact(sweep),)))


LAYOUT_SWEEP_SHAPE = (2, 3, 2, 2)
"""Rank 4, so every layout applies (channels-last included); no extent of 1."""


@pytest.mark.clause("G-1")
def test_gradient_identity_every_layout(cp_impl: Implementation,
                                        cp_devices: tuple[str, ...]) -> None:
    """G-1 on a sweep that runs on every seed: a source in every layout (transposed,
    permuted, sliced, offset, expanded, channels-last, ...) on every device with data, and
    an upstream gradient with both signs, so a backward that depends on the source's layout
    need not be drawn to be caught."""
    cases = []
    for device in cp_devices:
        if not has_data(device):
            continue
        for layout in applicable_layouts(LAYOUT_SWEEP_SHAPE):
            source = build_source(LAYOUT_SWEEP_SHAPE, torch.float32, device, layout,
                                  pool=(0x3F800000,))  # 1.0
            shape = tuple(source.tensor.shape)
            upstream = torch.arange(numel(shape), dtype=torch.float32, device=device)
            upstream = (upstream - upstream.numel() / 2).reshape(shape)  # both signs, and 0
            request = PlaceholderRequest(shape, torch.float32, device, True)
            cases.append(Backward(TakeOver(request, source), (upstream,)))
    sweep(cases, lambda drawn: _check_identity(cp_impl, drawn))


def _check_identity(impl: Implementation, drawn: Backward) -> None:
    """G-1 fixes the gradient exactly: placeholder.grad must be the upstream gradient, bit
    for bit. That comparison is complete, so running the reference on the same case (as
    G-3 and G-4 do) would add no information, only cost; it is not done here."""
    upstream = drawn.upstreams[0]  # never handed to the implementation: _run passes a copy
    placeholder = _run(impl, drawn.case, drawn.upstreams)
    grad = placeholder.grad
    check(grad is not None, "G-1", "placeholder.grad set by backward", "None")
    assert grad is not None
    difference = first_bitwise_difference(grad, upstream)
    check(difference is None, "G-1", "placeholder.grad bit for bit equal to the upstream gradient",
          lambda: f"placeholder.grad vs upstream: {difference}")


@pytest.mark.clause("G-1")
@given(data=st.data())
def test_gradient_identity(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                           data: st.DataObject) -> None:
    """G-1: draws a source and an upstream gradient with special values, any layout, in every
    float/complex/float8 dtype."""
    for drawn in draw_cases(data, backwards(cp_devices), cp_batch,
                            backward_recipe(cp_devices)):
        check_gradient_identity(cp_impl, drawn)


@dataclass(frozen=True)
class GradcheckCase:
    shape: tuple[int, ...]
    dtype: torch.dtype
    seed: int
    transpose: bool


class _Through(torch.autograd.Function):
    """Values of ``tracable_create_parameter(x, placeholder)``; the backward is the gradient
    the implementation gives the placeholder, so gradcheck compares the implementation's
    backward with the numerical Jacobian of the take-over (the identity)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, impl: Implementation) -> torch.Tensor:
        with torch.enable_grad():
            placeholder = placeholder_for(
                impl, PlaceholderRequest(tuple(x.shape), x.dtype, str(x.device), True))
            out = taken_over(impl, x.detach(), placeholder)
        ctx.graph = (out, placeholder)
        return out.detach().clone()

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> tuple[torch.Tensor | None, None]:
        out, placeholder = ctx.graph
        placeholder.grad = None
        torch.autograd.backward(out, grads[0], retain_graph=True)
        return placeholder.grad, None


def check_gradcheck(impl: Implementation, case: GradcheckCase) -> None:
    """G-1 in the form torch.autograd.gradcheck verifies: the analytical gradient through the
    placeholder matches finite differences of the take-over (float64 / complex128)."""
    generator = torch.Generator().manual_seed(case.seed)
    x = torch.randn(case.shape, dtype=case.dtype, generator=generator)
    if case.transpose and x.dim() >= 2:
        x = x.transpose(0, 1)
    x.requires_grad_(True)
    try:
        passed = torch.autograd.gradcheck(
            lambda t: _Through.apply(t, impl), (x,), raise_exception=True,
            check_batched_grad=False, check_backward_ad=True, fast_mode=False,
        )
    except GradcheckError as error:
        check(False, "G-1", "gradcheck to pass", f"GradcheckError: {error}")
    check(passed, "G-1", "gradcheck to pass", "it returned False")


_GRADCHECK_CASES = st.builds(
    GradcheckCase, shapes(max_rank=3, max_elements=6),
    st.sampled_from((torch.float64, torch.complex128)), st.integers(0, 2**16), st.booleans(),
)


@pytest.mark.clause("G-1")
@given(data=st.data())
def test_gradcheck(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                   data: st.DataObject) -> None:
    """G-1 via gradcheck: draws a small shape, float64 or complex128, contiguous or transposed."""
    if not any(has_data(device) and device.startswith("cpu") for device in cp_devices):
        raise NotApplicable("gradcheck runs on cpu, which --cp-devices leaves out")
    for case in draw_cases(data, _GRADCHECK_CASES, cp_batch):
        check_gradcheck(cp_impl, case)


# --- G-2: nothing reaches the source -----------------------------------------------------


@dataclass(frozen=True)
class GradSource:
    """A backward case whose source requires grad: a leaf, or a view of one (a non-leaf)."""

    drawn: Backward
    non_leaf: bool

    def __repr__(self) -> str:
        kind = "non-leaf view of a leaf" if self.non_leaf else "leaf"
        return f"{self.drawn!r}; source requires grad ({kind})"


@reused
def _grad_sources(allowed: Sequence[str]) -> st.SearchStrategy[GradSource]:
    return st.builds(GradSource, backwards(allowed), st.booleans())


def check_nothing_reaches_source(impl: Implementation, case: GradSource) -> None:
    """G-2: the call either raises with the placeholder unchanged, or backward computes no
    gradient for the source (no hook on it or its leaf fires, both ``.grad`` stay None).

    An edge from the output's node to the source's node may remain (torch >= 2.11 detaches
    inside the Function's forward, after autograd has recorded the edge); what the clause
    forbids is gradient flowing along it."""
    root = case.drawn.case.source.tensor.detach().requires_grad_(True)
    source = root.view_as(root) if case.non_leaf else root
    if case.non_leaf:
        source.retain_grad()
    placeholder = case.drawn.case.placeholder(impl)
    before = Metadata.of(placeholder)
    try:
        out = taken_over(impl, source, placeholder)
    except Exception:
        after = Metadata.of(placeholder)
        check(after == before, "G-2", "a rejected source to leave the placeholder unchanged",
              lambda: f"changed: {before.differences(after)}")
        return
    reached: list[str] = []
    # torch calls a tensor hook with None along an edge that carries no gradient.
    root.register_hook(lambda grad: reached.append("leaf") if grad is not None else None)
    if case.non_leaf:
        source.register_hook(lambda grad: reached.append("view") if grad is not None else None)
    out.backward(case.drawn.upstreams[0])
    check(not reached and root.grad is None and source.grad is None, "G-2",
          "no gradient on the source after backward",
          lambda: f"gradient hooks fired for {reached}; leaf.grad set: {root.grad is not None}, "
          f"view.grad set: {source.grad is not None}")


@pytest.mark.clause("G-2")
@given(data=st.data())
def test_nothing_reaches_the_source(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                    cp_batch: int, data: st.DataObject) -> None:
    """G-2: draws a backward case whose source requires grad, as a leaf or as a view of one."""
    cases = _grad_sources(cp_devices)
    backward = backward_recipe(cp_devices)

    def recipe(rng: random.Random) -> GradSource:
        return GradSource(backward(rng), rng.random() < 0.5)

    for case in draw_cases(data, cases, cp_batch, recipe):
        check_nothing_reaches_source(cp_impl, case)


# --- G-3: accumulation -------------------------------------------------------------------


def check_accumulates(impl: Implementation, drawn: Backward) -> None:
    """G-3: after two backward passes (the first keeping the graph) placeholder.grad equals
    ``g1 + g2`` computed by torch, bit for bit (and the reference's)."""
    first, second = (clone_exact(g) for g in drawn.upstreams)
    placeholder = _run(impl, drawn.case, drawn.upstreams)
    grad = placeholder.grad
    check(grad is not None, "G-3", "placeholder.grad set after two backward passes", "None")
    assert grad is not None
    # g1 + g2 as a leaf accumulates it: in place, in the layout .grad has. (For NaN operands
    # the payload and sign of the result depend on the kernel; an out-of-place sum in
    # another layout may legitimately pick the other NaN.)
    expected = torch.empty_strided(grad.shape, grad.stride(), dtype=grad.dtype,
                                   device=grad.device)
    with torch.no_grad():
        expected.copy_(first)
        expected += second
    difference = first_bitwise_difference(grad, expected)
    check(difference is None, "G-3", "placeholder.grad equal to g1 + g2",
          lambda: f"placeholder.grad vs g1 + g2: {difference}")
    if not is_reference(impl):
        reference = _run(REFERENCE, drawn.case, drawn.upstreams).grad
        assert reference is not None
        check_same_bits_as_reference("G-3", "placeholder.grad after two passes", grad, reference)


@pytest.mark.clause("G-3")
@given(data=st.data())
def test_gradients_accumulate(cp_impl: Implementation, cp_devices: tuple[str, ...],
                              cp_batch: int, data: st.DataObject) -> None:
    """G-3: draws a source and two upstream gradients with special values (dtypes torch can
    add: float and complex; float8 has no addition)."""
    cases = backwards(cp_devices, passes=2, addable=True)
    recipe = backward_recipe(cp_devices, passes=2, addable=True)
    for drawn in draw_cases(data, cases, cp_batch, recipe):
        check_accumulates(cp_impl, drawn)


# --- G-4: routing ------------------------------------------------------------------------


def check_routes(impl: Implementation, case: TakeOver) -> None:
    """G-4: with requires_grad the output's graph reaches the placeholder's AccumulateGrad and
    no node of the source; without it the output has no grad_fn (as the reference's)."""
    source = case.source.tensor
    placeholder = case.placeholder(impl)
    out = taken_over(impl, source, placeholder)
    if not is_reference(impl):
        reference = REFERENCE.tracable_create_parameter(source, case.placeholder(REFERENCE))
        check_same_as_reference("G-4", "whether the output has a grad_fn",
                                out.grad_fn is not None, reference.grad_fn is not None)
    if not case.request.requires_grad:
        check(out.grad_fn is None, "G-4", "no grad_fn (the placeholder does not require grad)",
              lambda: repr(out.grad_fn))
        return
    nodes = graph_nodes(out.grad_fn)
    variables = accumulated_variables(nodes)
    check(any(v is placeholder for v in variables), "G-4",
          "the placeholder's AccumulateGrad reachable from the output's grad_fn",
          lambda: f"nodes {[type(node).__name__ for node in nodes]}")
    check(not any(v is source for v in variables), "G-4",
          "no node of the source reachable from the output's grad_fn",
          "the source's AccumulateGrad")


@pytest.mark.clause("G-4")
@given(data=st.data())
def test_routes_to_accumulate_grad(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                   cp_batch: int, data: st.DataObject) -> None:
    """G-4: draws a take-over with or without requires_grad, every dtype and layout."""
    for case in draw_cases(data, take_overs(cp_devices), cp_batch,
                           take_over_recipe(cp_devices)):
        check_routes(cp_impl, case)
