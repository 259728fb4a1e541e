"""C-clauses: ``tracable_create_parameter(tensor, placeholder)``.

One clause per test. Sources come in every layout of :data:`strategies.LAYOUTS`
(contiguous, transposed, permuted, sliced, offset, expanded, channels_last,
zero_numel) filled with special bit patterns; devices come from ``cp_devices``
(on ``meta`` only metadata is checked). Each property draws with
:func:`draw_cases` and checks every case with its ``check_<clause>`` function;
where the contract fixes the result, the implementation is also compared with
the reference on the same draw.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.batch import draw_cases
from conformance.implementation import Implementation
from conformance.properties._autograd_graph import accumulated_variables, graph_nodes
from conformance.properties._cases import (
    SMALL,
    TakeOver,
    placeholder_for,
    special_sweep,
    sweep,
    take_overs,
    taken_over,
)
from conformance.properties._reference_comparison import (
    REFERENCE,
    check_same_as_reference,
    check_same_bits_as_reference,
    is_reference,
)
from conformance.properties._tensor_facts import Metadata, addressed_layout, clone_exact, storage_id
from conformance.violation import ClauseViolation, check
from strategies import (
    COMMON_GRAD_MODES,
    PRIMITIVE_MODES,
    DtypeInfo,
    GradMode,
    PlaceholderRequest,
    applicable_layouts,
    build_source,
    dtypes,
    grad_modes,
    has_data,
    placeholder_requests,
    sources,
    supported_dtypes,
    upstream_gradients,
)
from strategies.bitwise import first_bitwise_difference
from strategies.reuse import reused, sampled_from
from strategies.shapes import boundary_shapes, large_budget, numel


def _plain_take_over(device: str, shape: tuple[int, ...] = (2, 3), *,
                     dtype: torch.dtype = torch.float32, requires_grad: bool = False,
                     layout: str = "contiguous") -> TakeOver:
    """A fixed take-over for the sweeps: a source of ``shape`` in ``layout`` (values 1.0 on
    devices with data) and a request of the same shape, dtype and device."""
    source = build_source(shape, dtype, device, layout, pool=(0x3F800000,)
                          if dtype == torch.float32 else (1,))
    return TakeOver(PlaceholderRequest(shape, dtype, device, requires_grad), source)

# --- C-1: aliasing -----------------------------------------------------------------------


def check_aliases(impl: Implementation, case: TakeOver) -> None:
    """C-1: output, placeholder and source share one storage object; where there is data,
    also one data pointer (nothing copied)."""
    source = case.source.tensor
    placeholder = case.placeholder(impl)
    out = taken_over(impl, source, placeholder)
    ids = {"source": storage_id(source), "placeholder": storage_id(placeholder),
           "output": storage_id(out)}
    check(len(set(ids.values())) == 1, "C-1", "output and placeholder on the source's storage",
          lambda: f"distinct storages {ids}")
    if has_data(source.device) and source.untyped_storage().nbytes() > 0:
        pointers = {"source": source.data_ptr(), "placeholder": placeholder.data_ptr(),
                    "output": out.data_ptr()}
        check(len(set(pointers.values())) == 1, "C-1", "one data pointer for all three",
              lambda: f"data pointers {pointers}")


@pytest.mark.clause("C-1")
@given(data=st.data())
def test_aliases_the_source(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                            data: st.DataObject) -> None:
    """C-1: draws a source in every layout, dtype and device, and a request (size may differ)."""
    for case in draw_cases(data, take_overs(cp_devices, same_shape=False), cp_batch):
        check_aliases(cp_impl, case)


# --- C-2: metadata take-over ---------------------------------------------------------------


def check_takes_metadata(impl: Implementation, case: TakeOver) -> None:
    """C-2: output and placeholder have the source's shape, offset, dtype, device and the
    strides of every dim of extent > 1, even when the request's size differs."""
    source = case.source.tensor
    want = addressed_layout(source)
    reference = None
    if not is_reference(impl):
        reference_out = REFERENCE.tracable_create_parameter(source, case.placeholder(REFERENCE))
        reference = addressed_layout(reference_out)
    placeholder = case.placeholder(impl)
    out = taken_over(impl, source, placeholder)
    for name, tensor in (("output", out), ("placeholder", placeholder)):
        got = addressed_layout(tensor)
        check(got == want, "C-2", f"{name} with the source's metadata {want}",
              lambda got=got: f"{got}; differs in {[k for k in want if want[k] != got[k]]}")
    if reference is not None:
        check_same_as_reference("C-2", "the output's metadata", addressed_layout(out), reference)


@pytest.mark.clause("C-2")
@given(data=st.data())
def test_takes_the_source_metadata(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                   cp_batch: int, data: st.DataObject) -> None:
    """C-2: draws a source in every layout and a request whose size differs half the time."""
    for case in draw_cases(data, take_overs(cp_devices, same_shape=False), cp_batch):
        check_takes_metadata(cp_impl, case)


def layout_sweep(allowed: Sequence[str]) -> list[TakeOver]:
    """C-2 sweep: every layout of :data:`strategies.LAYOUTS` on every device, each over the
    boundary shapes it applies to (float32; shapes up to 2**16 + 1 elements with data,
    every boundary up to 2**40 elements on meta: extents and strides above 2**31)."""
    cases = []
    for device in allowed:
        budget = large_budget(device) if device.startswith("meta") else 2**16 + 1
        for shape in boundary_shapes(budget, max_rank=5):
            for layout in applicable_layouts(shape):
                # A slice is cut from a buffer twice as long: keep that within the budget.
                if layout != "sliced" or budget > 2 * numel(shape):
                    cases.append(_plain_take_over(device, shape, layout=layout))
    return cases


@pytest.mark.clause("C-2")
def test_takes_metadata_every_layout(cp_impl: Implementation,
                                     cp_devices: tuple[str, ...]) -> None:
    """C-2 on a sweep that runs on every seed: every layout, on every device, at every size
    boundary that layout admits (on meta past 2**31 elements, extents and strides)."""
    sweep(layout_sweep(cp_devices), lambda case: check_takes_metadata(cp_impl, case))


# --- C-3: values bit for bit ---------------------------------------------------------------


def check_values(impl: Implementation, case: TakeOver) -> None:
    """C-3: the output's bits equal a snapshot of the source taken before the call (and the
    reference's output); the message names the first differing element and both patterns."""
    _check_values(impl, case.source.tensor, case.request, "the drawn source")


@pytest.mark.clause("C-3")
@pytest.mark.parametrize("requires_grad", [False, True], ids=["plain", "requires_grad"])
def test_values_bit_for_bit_special_patterns(cp_impl: Implementation,
                                            cp_devices: tuple[str, ...],
                                            requires_grad: bool) -> None:
    """C-3: a sweep of every special bit pattern (-0.0, every NaN payload, subnormals, +-inf)
    of every dtype on every device is taken over, so a rare dtype need not be drawn to be
    checked. Deterministic, so it runs once rather than in every example."""
    for device in cp_devices:
        for info in supported_dtypes(device):
            sweep = special_sweep(info.dtype, device)
            request = PlaceholderRequest(tuple(sweep.shape), info.dtype, device,
                                         requires_grad and info.can_require_grad)
            _check_values(cp_impl, sweep, request, f"the {info.dtype} special-pattern sweep")


def _check_values(
    impl: Implementation, source: torch.Tensor, request: PlaceholderRequest, what: str
) -> None:
    snapshot = clone_exact(source)
    reference = None
    if not is_reference(impl):
        reference_placeholder = request.call(REFERENCE.new_parameter_placeholder)
        reference = clone_exact(REFERENCE.tracable_create_parameter(source, reference_placeholder))
    out = taken_over(impl, source, placeholder_for(impl, request))
    difference = first_bitwise_difference(out, snapshot)
    check(difference is None, "C-3", f"the bits {what} had before the call",
          lambda: f"output vs snapshot of {what}: {difference}")
    if reference is not None:
        check_same_bits_as_reference("C-3", f"the output for {what}", out, reference)


@pytest.mark.clause("C-3")
@given(data=st.data())
def test_values_bit_for_bit(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                            data: st.DataObject) -> None:
    """C-3: draws sources of every dtype with NaN payloads, -0.0, subnormals and +-inf."""
    for case in draw_cases(data, take_overs(cp_devices), cp_batch):
        check_values(cp_impl, case)


# --- C-4: requires_grad --------------------------------------------------------------------


@dataclass(frozen=True)
class UnderMode:
    """A take-over called under a grad-mode chain (placeholder and source made outside)."""

    case: TakeOver
    mode: GradMode

    def __repr__(self) -> str:
        return f"{self.case!r} under {self.mode!r}"


@reused  # drawn from once per example: one object per argument list
def under_modes(allowed: Sequence[str], **kwargs: object) -> st.SearchStrategy[UnderMode]:
    return st.builds(UnderMode, take_overs(allowed, **kwargs), grad_modes())  # type: ignore[arg-type]


def check_requires_grad(impl: Implementation, drawn: UnderMode) -> None:
    """C-4: output.requires_grad equals the placeholder's whatever the ambient grad mode (and
    equals the reference's under the same mode)."""
    case, mode = drawn.case, drawn.mode
    placeholder = case.placeholder(impl)
    reference_placeholder = None if is_reference(impl) else case.placeholder(REFERENCE)
    with mode.enter():
        out = taken_over(impl, case.source.tensor, placeholder)
        reference_out = None
        if reference_placeholder is not None:
            reference_out = REFERENCE.tracable_create_parameter(
                case.source.tensor, reference_placeholder
            )
    want = case.request.requires_grad
    check(out.requires_grad == want, "C-4", f"output.requires_grad={want} under {mode!r}",
          f"output.requires_grad={out.requires_grad}")
    if reference_out is not None:
        check_same_as_reference("C-4", f"output.requires_grad under {mode!r}",
                                out.requires_grad, reference_out.requires_grad)


@pytest.mark.clause("C-4")
@given(data=st.data())
def test_requires_grad_follows_the_placeholder(cp_impl: Implementation,
                                               cp_devices: tuple[str, ...], cp_batch: int,
                                               data: st.DataObject) -> None:
    """C-4: draws a take-over and a grad-mode chain (no_grad, set_grad_enabled, inference
    mode, nested) entered around the call only."""
    for drawn in draw_cases(data, under_modes(cp_devices, same_shape=False), cp_batch):
        check_requires_grad(cp_impl, drawn)


ALL_GRAD_MODES: tuple[GradMode, ...] = tuple(dict.fromkeys(
    (*COMMON_GRAD_MODES, *(GradMode(name) for name in PRIMITIVE_MODES))
))
"""Every hand-picked chain and every primitive mode alone (the C-4 and C-7 sweeps)."""


@pytest.mark.clause("C-4")
def test_requires_grad_every_grad_mode(cp_impl: Implementation,
                                       cp_devices: tuple[str, ...]) -> None:
    """C-4 on a sweep that runs on every seed: every grad mode of :data:`ALL_GRAD_MODES`
    around the call, placeholders with and without requires_grad, on every device."""
    cases = [UnderMode(_plain_take_over(device, requires_grad=flag), mode)
             for device in cp_devices for mode in ALL_GRAD_MODES for flag in (True, False)]
    sweep(cases, lambda drawn: check_requires_grad(cp_impl, drawn))


# --- mismatches (C-5's raising calls, C-6) ---------------------------------------------------


@reused
@st.composite
def mismatches(draw: st.DrawFn, allowed: Sequence[str]) -> TakeOver:
    """A request and a source that differs from it in dtype or (given two devices) device."""
    request = draw(placeholder_requests(allowed, max_elements=SMALL, large=True))
    others = tuple(
        device for device in allowed
        if device != request.device
        and any(info.dtype == request.dtype for info in supported_dtypes(device))
    )
    kinds = _DTYPE_OR_DEVICE if others else _DTYPE_ONLY
    if draw(kinds) == "device":
        device, dtype = draw(sampled_from(others)), request.dtype
    else:
        device = request.device
        dtype = draw(_other_dtypes(device, request.dtype)).dtype
    source = draw(sources(device, dtype, max_elements=SMALL, large=True))
    return TakeOver(request, source)


_DTYPE_OR_DEVICE = st.sampled_from(("dtype", "device"))
_DTYPE_ONLY = st.sampled_from(("dtype",))


@reused  # one per (device, dtype): a fresh predicate per draw would defeat dtypes()'s cache
def _other_dtypes(device: str, dtype: torch.dtype) -> st.SearchStrategy[DtypeInfo]:
    """C-6: the dtypes on ``device`` other than ``dtype``."""
    return dtypes(device, where=functools.partial(_is_not, dtype))


def _is_not(dtype: torch.dtype, info: DtypeInfo) -> bool:
    return info.dtype != dtype


def _mismatch_kind(case: TakeOver) -> str:
    source = case.source.tensor
    if source.dtype != case.request.dtype:
        return f"a {source.dtype} source for a {case.request.dtype} placeholder"
    return f"a {source.device} source for a {case.request.device} placeholder"


# --- C-5: grad mode untouched ---------------------------------------------------------------


@dataclass(frozen=True)
class ModeCall:
    """A call under a grad-mode chain that succeeds or (a mismatch) raises."""

    case: TakeOver
    mode: GradMode
    raising: bool

    def __repr__(self) -> str:
        kind = "mismatched " if self.raising else ""
        return f"{kind}{self.case!r} under {self.mode!r}"


@reused
@st.composite
def mode_calls(draw: st.DrawFn, allowed: Sequence[str]) -> ModeCall:
    raising = draw(_COIN)
    case = draw(mismatches(allowed) if raising else take_overs(allowed, same_shape=False))
    return ModeCall(case, draw(grad_modes()), raising)


_COIN = st.booleans()


def _ambient() -> tuple[bool, bool]:
    return torch.is_grad_enabled(), torch.is_inference_mode_enabled()


def check_grad_mode_untouched(impl: Implementation, drawn: ModeCall) -> None:
    """C-5: (grad enabled, inference mode) right after the call equal what they were right
    before it, whether the call returns or raises."""
    placeholder = drawn.case.placeholder(impl)
    with drawn.mode.enter():
        before = _ambient()
        error: Exception | None = None
        try:
            impl.tracable_create_parameter(drawn.case.source.tensor, placeholder)
        except Exception as caught:
            error = caught
        after = _ambient()
    how = f"after raising {type(error).__name__}" if error is not None else "after returning"
    check(after == before, "C-5",
          f"(grad enabled, inference mode) = {before} {how}, as before the call", after)


@pytest.mark.clause("C-5")
@given(data=st.data())
def test_grad_mode_untouched(cp_impl: Implementation, cp_devices: tuple[str, ...],
                             cp_batch: int, data: st.DataObject) -> None:
    """C-5: draws a grad-mode chain and a call that succeeds or raises (a mismatch)."""
    for drawn in draw_cases(data, mode_calls(cp_devices), cp_batch):
        check_grad_mode_untouched(cp_impl, drawn)


# --- C-6: mismatch raises without change ----------------------------------------------------


def check_mismatch_unchanged(impl: Implementation, case: TakeOver) -> None:
    """C-6: a dtype or device mismatch raises, and the placeholder's storage (object, bytes,
    pointer) and metadata (shape, stride, offset, dtype, device, requires_grad) stay put."""
    placeholder = case.placeholder(impl)
    before = Metadata.of(placeholder)
    try:
        out = impl.tracable_create_parameter(case.source.tensor, placeholder)
    except Exception:
        after = Metadata.of(placeholder)
        check(after == before, "C-6", f"the placeholder unchanged after refusing "
              f"{_mismatch_kind(case)}", lambda: f"changed: {before.differences(after)}")
        return
    check(False, "C-6", f"an error for {_mismatch_kind(case)}",
          lambda: f"no error; output {addressed_layout(out)}")


@pytest.mark.clause("C-6")
@given(data=st.data())
def test_mismatch_raises_without_change(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                        cp_batch: int, data: st.DataObject) -> None:
    """C-6: draws a request and a source of another dtype or (cpu vs meta) another device."""
    for case in draw_cases(data, mismatches(cp_devices), cp_batch):
        check_mismatch_unchanged(cp_impl, case)


def mismatch_sweep(allowed: Sequence[str]) -> list[TakeOver]:
    """C-6 sweep: on every device, every ordered pair of distinct dtypes of the same element
    size (the pairs a reinterpreting take-over could accept), for a 1-d and a 2-d source; and
    given two devices, every dtype on the wrong device."""
    cases = []
    for device in allowed:
        infos = supported_dtypes(device)
        for wanted in infos:
            for given_info in infos:
                if (given_info.dtype == wanted.dtype
                        or given_info.dtype.itemsize != wanted.dtype.itemsize):
                    continue
                for shape in ((3,), (2, 3)):
                    source = build_source(shape, given_info.dtype, device, "contiguous")
                    request = PlaceholderRequest(shape, wanted.dtype, device, False)
                    cases.append(TakeOver(request, source))
        for other in allowed:
            if other == device:
                continue
            for info in infos:
                if any(o.dtype == info.dtype for o in supported_dtypes(other)):
                    source = build_source((3,), info.dtype, other, "contiguous")
                    cases.append(TakeOver(PlaceholderRequest((3,), info.dtype, device, False),
                                          source))
    return cases


@pytest.mark.clause("C-6")
def test_mismatch_every_dtype_pair(cp_impl: Implementation,
                                   cp_devices: tuple[str, ...]) -> None:
    """C-6 on a sweep that runs on every seed: every same-width dtype pair and every
    device mismatch is refused, the placeholder left unchanged."""
    sweep(mismatch_sweep(cp_devices), lambda case: check_mismatch_unchanged(cp_impl, case))


# --- C-7: inference mode at the call site ---------------------------------------------------

INFERENCE_VARIANTS = ("call inside", "inference source, call outside",
                      "inference source, call inside")


@dataclass(frozen=True)
class InferenceCall:
    """A placeholder made outside inference mode, a source and call placed per ``variant``;
    ``upstream`` feeds the backward pass outside."""

    case: TakeOver
    variant: str
    upstream: torch.Tensor | None

    def __repr__(self) -> str:
        return f"{self.case!r}, {self.variant}"


_VARIANTS = st.sampled_from(INFERENCE_VARIANTS)


@reused
@st.composite
def inference_calls(draw: st.DrawFn, allowed: Sequence[str]) -> InferenceCall:
    case = draw(take_overs(allowed))
    variant = draw(_VARIANTS)
    upstream = None
    if case.request.requires_grad:
        upstream = draw(upstream_gradients(case.source.tensor))
    return InferenceCall(case, variant, upstream)


def _inference_copy(tensor: torch.Tensor) -> torch.Tensor:
    """An inference tensor with ``tensor``'s bits and exact layout (a copy of its storage)."""
    with torch.inference_mode():
        storage = tensor.untyped_storage().clone()
        empty = torch.empty(0, dtype=tensor.dtype, device=tensor.device)
        return empty.set_(storage, tensor.storage_offset(), tensor.shape, tensor.stride())


def check_inference_mode(impl: Implementation, drawn: InferenceCall) -> None:
    """C-7: no error; output.requires_grad equals the placeholder's (and the reference's);
    backward outside inference mode gives the placeholder the upstream gradient, bit for bit,
    and reaches no node of the source."""
    case = drawn.case
    source = case.source.tensor
    if drawn.variant.startswith("inference source"):
        source = _inference_copy(source)
    placeholder = case.placeholder(impl)
    reference_placeholder = None if is_reference(impl) else case.placeholder(REFERENCE)
    inside = drawn.variant.endswith("call inside")
    with torch.inference_mode(inside):
        try:
            out = taken_over(impl, source, placeholder)
        except Exception as error:
            raise ClauseViolation(
                "C-7", "the take-over to succeed", f"{type(error).__name__}: {error}"
            ) from error
        reference_out = None
        if reference_placeholder is not None:
            reference_out = REFERENCE.tracable_create_parameter(source, reference_placeholder)
    want = case.request.requires_grad
    check(out.requires_grad == want, "C-7", f"output.requires_grad={want}",
          f"output.requires_grad={out.requires_grad}")
    if reference_out is not None:
        check_same_as_reference("C-7", "output.requires_grad", out.requires_grad,
                                reference_out.requires_grad)
    if drawn.upstream is None:
        return
    nodes = graph_nodes(out.grad_fn)
    check(not any(v is source for v in accumulated_variables(nodes)), "C-7",
          "no AccumulateGrad of the source in the output's graph", "one found")
    upstream = clone_exact(drawn.upstream)
    out.backward(drawn.upstream)
    grad = placeholder.grad
    check(grad is not None, "C-7", "the gradient in placeholder.grad after backward", "None")
    assert grad is not None
    difference = first_bitwise_difference(grad, upstream)
    check(difference is None, "C-7", "placeholder.grad equal to the upstream gradient",
          lambda: f"placeholder.grad vs upstream: {difference}")
    check(source.grad is None, "C-7", "no gradient on the source",
          lambda: f"source.grad of shape {tuple(source.grad.shape)}")  # type: ignore[union-attr]


@pytest.mark.clause("C-7")
@given(data=st.data())
def test_inference_mode_at_the_call_site(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                         cp_batch: int, data: st.DataObject) -> None:
    """C-7: draws a take-over, where inference mode applies (call inside, inference-tensor
    source, or both) and an upstream gradient for the backward pass outside."""
    for drawn in draw_cases(data, inference_calls(cp_devices), cp_batch):
        check_inference_mode(cp_impl, drawn)


@pytest.mark.clause("C-7")
def test_inference_mode_every_variant(cp_impl: Implementation,
                                      cp_devices: tuple[str, ...]) -> None:
    """C-7 on a sweep that runs on every seed: every variant of :data:`INFERENCE_VARIANTS`,
    with and without requires_grad (then a backward pass), on every device."""
    cases = []
    for device in cp_devices:
        for variant in INFERENCE_VARIANTS:
            for flag in (True, False):
                case = _plain_take_over(device, requires_grad=flag)
                upstream = _plain_take_over(device).source.tensor if flag else None
                cases.append(InferenceCall(case, variant, upstream))
    sweep(cases, lambda drawn: check_inference_mode(cp_impl, drawn))
