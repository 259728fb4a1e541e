"""P-clauses: ``new_parameter_placeholder(size, dtype, device, requires_grad)``.

One clause per test. Each property draws its cases with :func:`draw_cases` and
checks them one by one with a ``check_<clause>`` function; where the contract
fixes the result, the implementation is also compared with the reference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.batch import draw_cases
from conformance.implementation import Implementation
from conformance.properties._cases import (
    SMALL,
    TakeOver,
    boundary_requests,
    placeholder_for,
    sweep,
    take_overs,
)
from conformance.properties._reference_comparison import (
    REFERENCE,
    check_same_as_reference,
    is_reference,
)
from conformance.properties._tensor_facts import (
    Metadata,
    describe_placeholder,
    storage_id,
)
from conformance.violation import check
from strategies import (
    GradMode,
    InvalidPlaceholderRequest,
    PlaceholderRequest,
    grad_modes,
    invalid_placeholder_requests,
    placeholder_requests,
)
from strategies.reuse import reused
from strategies.shapes import contiguous_strides


def _requests(devices: tuple[str, ...]) -> st.SearchStrategy[PlaceholderRequest]:
    return placeholder_requests(devices, max_elements=SMALL, large=True)


# --- P-1 .. P-5: one fresh placeholder ---------------------------------------------------


def check_is_parameter(impl: Implementation, request: PlaceholderRequest) -> None:
    """P-1: the result is an ``nn.Parameter``."""
    placeholder = request.call(impl.new_parameter_placeholder)
    check(isinstance(placeholder, torch.nn.Parameter), "P-1", "an nn.Parameter",
          lambda: f"a {type(placeholder).__module__}.{type(placeholder).__qualname__}")


def check_exact_metadata(impl: Implementation, request: PlaceholderRequest) -> None:
    """P-2: exactly the requested shape, dtype, device and requires_grad."""
    placeholder = placeholder_for(impl, request)
    want = (request.size, request.dtype, torch.device(request.device), request.requires_grad)
    got = (tuple(placeholder.shape), placeholder.dtype, placeholder.device,
           placeholder.requires_grad)
    check(got == want, "P-2", f"(shape, dtype, device, requires_grad) = {want}", got)


def check_zero_bytes(impl: Implementation, request: PlaceholderRequest) -> None:
    """P-3: the untyped storage holds 0 bytes."""
    placeholder = placeholder_for(impl, request)
    nbytes = placeholder.untyped_storage().nbytes()
    check(nbytes == 0, "P-3", "an untyped storage of 0 bytes", f"{nbytes} bytes")


def check_fresh_leaf(impl: Implementation, request: PlaceholderRequest) -> None:
    """P-4: a leaf with grad None and grad_fn None."""
    placeholder = placeholder_for(impl, request)
    got = (placeholder.is_leaf, placeholder.grad, placeholder.grad_fn)
    check(got == (True, None, None), "P-4", "(is_leaf, grad, grad_fn) = (True, None, None)",
          lambda: repr(got))


def check_contiguous_layout(impl: Implementation, request: PlaceholderRequest) -> None:
    """P-5: contiguous strides for the shape, storage offset 0."""
    placeholder = placeholder_for(impl, request)
    want = (contiguous_strides(request.size), 0)
    got = (tuple(placeholder.stride()), placeholder.storage_offset())
    check(got == want, "P-5", f"(strides, offset) = {want}", got)


@pytest.mark.clause("P-1")
@given(data=st.data())
def test_is_a_parameter(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                        data: st.DataObject) -> None:
    """P-1 over requests of every shape, dtype and device."""
    for request in draw_cases(data, _requests(cp_devices), cp_batch):
        check_is_parameter(cp_impl, request)


@pytest.mark.clause("P-2")
@given(data=st.data())
def test_exact_metadata(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                        data: st.DataObject) -> None:
    """P-2 over requests of every shape (0-d, zero-size, rank 8), dtype and device."""
    for request in draw_cases(data, _requests(cp_devices), cp_batch):
        check_exact_metadata(cp_impl, request)


@pytest.mark.clause("P-3")
@given(data=st.data())
def test_zero_byte_storage(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                           data: st.DataObject) -> None:
    """P-3 over requests of every shape, dtype and device."""
    for request in draw_cases(data, _requests(cp_devices), cp_batch):
        check_zero_bytes(cp_impl, request)


@pytest.mark.clause("P-4")
@given(data=st.data())
def test_fresh_leaf(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                    data: st.DataObject) -> None:
    """P-4 over requests with and without requires_grad."""
    for request in draw_cases(data, _requests(cp_devices), cp_batch):
        check_fresh_leaf(cp_impl, request)


@pytest.mark.clause("P-5")
@given(data=st.data())
def test_contiguous_layout(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_batch: int,
                           data: st.DataObject) -> None:
    """P-5 over requests of every shape, including extents of 0 and 1."""
    for request in draw_cases(data, _requests(cp_devices), cp_batch):
        check_contiguous_layout(cp_impl, request)


_SWEPT = {
    "P-1": check_is_parameter,
    "P-2": check_exact_metadata,
    "P-3": check_zero_bytes,
    "P-4": check_fresh_leaf,
    "P-5": check_contiguous_layout,
}


@pytest.mark.parametrize(
    "clause", [pytest.param(clause, marks=pytest.mark.clause(clause), id=clause)
               for clause in _SWEPT],
)
def test_boundary_requests(cp_impl: Implementation, cp_devices: tuple[str, ...],
                           clause: str) -> None:
    """P-1 .. P-5 over a fixed sweep that runs on every seed: every rank 0..8 with extents
    of 1, of 2 and a zero extent, a 4-d shape of distinct extents, every dtype for the
    small shapes, and extents at every size boundary (65 .. 2**31 + 1 .. 2**40 elements on
    meta, up to 2**22 with data), alone, after and before a small extent."""
    check_request = _SWEPT[clause]
    sweep(boundary_requests(cp_devices), lambda request: check_request(cp_impl, request))


# --- P-6: independence --------------------------------------------------------------------


def check_independent(impl: Implementation, case: TakeOver) -> None:
    """P-6: two placeholders from the same request are distinct objects on distinct storages;
    taking over a source with the first leaves the second's metadata and storage as they were."""
    first = case.placeholder(impl)
    second = case.placeholder(impl)
    check(first is not second, "P-6", "two distinct placeholder objects", "the same object twice")
    check(storage_id(first) != storage_id(second), "P-6", "two distinct storages",
          "both placeholders share one storage object")
    before = Metadata.of(second)
    impl.tracable_create_parameter(case.source.tensor, first)
    after = Metadata.of(second)
    check(after == before, "P-6",
          "the other placeholder's metadata and storage unchanged by the take-over",
          lambda: before.differences(after))
    check(storage_id(second) != storage_id(case.source.tensor), "P-6",
          "the other placeholder not on the source's storage", "it shares the source's storage")


@pytest.mark.clause("P-6")
@given(data=st.data())
def test_placeholders_are_independent(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                      cp_batch: int, data: st.DataObject) -> None:
    """P-6: draws a source in any layout and a request of its dtype and device."""
    for case in draw_cases(data, take_overs(cp_devices), cp_batch):
        check_independent(cp_impl, case)


# --- P-7: invalid requests -----------------------------------------------------------------


def check_invalid_raises(impl: Implementation, invalid: InvalidPlaceholderRequest) -> None:
    """P-7: the request raises RuntimeError, ValueError or TypeError."""
    try:
        result = invalid.request.call(impl.new_parameter_placeholder)
    except (RuntimeError, ValueError, TypeError):
        return
    except Exception as error:
        check(False, "P-7", f"RuntimeError, ValueError or TypeError ({invalid.reason})",
              f"{type(error).__name__}: {error}")
    check(False, "P-7", f"RuntimeError, ValueError or TypeError ({invalid.reason})",
          lambda: f"no error: a {type(result).__name__} of shape {tuple(result.shape)}")


@pytest.mark.clause("P-7")
@given(data=st.data())
def test_invalid_requests_raise(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                cp_batch: int, data: st.DataObject) -> None:
    """P-7: draws integer/bool requests with requires_grad and sizes with a negative extent."""
    cases = invalid_placeholder_requests(cp_devices, max_elements=SMALL)
    for invalid in draw_cases(data, cases, cp_batch):
        check_invalid_raises(cp_impl, invalid)


# --- P-8: purity -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ambient:
    """The state a P-8 call runs under: a grad-mode chain, and the switch off or not."""

    mode: GradMode
    switch_off: bool

    def __repr__(self) -> str:
        switch = " inside do_not_convert_to_tracable_parameter()" if self.switch_off else ""
        return f"{self.mode!r}{switch}"


@reused
def ambients(with_switch: bool) -> st.SearchStrategy[Ambient]:
    """Every grad mode; the switch only where the implementation has it (a torch 2.4-style
    module has none and must still be checked for P-8)."""
    switch = st.booleans() if with_switch else st.just(False)
    return st.builds(Ambient, grad_modes(), switch)


@contextlib.contextmanager
def _entered(impl: Implementation, ambient: Ambient) -> Iterator[None]:
    with ambient.mode.enter():
        if ambient.switch_off:
            with impl.do_not_convert_to_tracable_parameter():
                yield
        else:
            yield


def check_pure(impl: Implementation, case: tuple[PlaceholderRequest, Ambient]) -> None:
    """P-8: the placeholder made under the drawn ambient state looks exactly like the one made
    in the default state (and like the reference's)."""
    request, ambient = case
    plain = describe_placeholder(placeholder_for(impl, request))
    with _entered(impl, ambient):
        under = describe_placeholder(placeholder_for(impl, request))
    check(under == plain, "P-8", f"the same placeholder under {ambient!r} as outside: {plain}",
          lambda: f"{under}; differs in {[k for k in plain if plain[k] != under[k]]}")
    if not is_reference(impl):
        with ambient.mode.enter():
            reference = describe_placeholder(request.call(REFERENCE.new_parameter_placeholder))
        check_same_as_reference("P-8", f"the placeholder under {ambient!r}", under, reference)


@reused
def _pure_cases(devices: tuple[str, ...], with_switch: bool,
                ) -> st.SearchStrategy[tuple[PlaceholderRequest, Ambient]]:
    """P-8: a request and the ambient state to make it under."""
    return st.tuples(_requests(devices), ambients(with_switch))


@pytest.mark.clause("P-8")
@given(data=st.data())
def test_placeholder_is_pure(cp_impl: Implementation, cp_devices: tuple[str, ...],
                             cp_batch: int, data: st.DataObject) -> None:
    """P-8: draws a request and an ambient grad-mode chain (inference mode included), plus the
    switch turned off where the implementation has one."""
    with_switch = cp_impl.has("do_not_convert_to_tracable_parameter")
    cases = _pure_cases(cp_devices, with_switch)
    for case in draw_cases(data, cases, cp_batch):
        check_pure(cp_impl, case)
