"""P-clauses: ``new_parameter_placeholder``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.implementation import Implementation
from conformance.properties._basic import requests
from conformance.violation import check


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, running = [], 1
    for extent in reversed(shape):
        strides.append(running)
        running *= max(extent, 1)
    return tuple(reversed(strides))


@pytest.mark.clause("P-1", "P-2", "P-3", "P-4", "P-5")
@given(data=st.data())
def test_placeholder_metadata(cp_impl: Implementation, cp_devices: tuple[str, ...],
                              data: st.DataObject) -> None:
    size, dtype, device, requires_grad = data.draw(requests(cp_devices), label="request")
    p = cp_impl.new_parameter_placeholder(size, dtype, device, requires_grad)
    check(isinstance(p, torch.nn.Parameter), "P-1", "an nn.Parameter", type(p).__name__)
    got = (tuple(p.shape), p.dtype, p.device.type, p.requires_grad)
    want = (tuple(size), dtype, torch.device(device).type, requires_grad)
    check(got == want, "P-2", f"(shape, dtype, device, requires_grad) {want}", got)
    check(p.untyped_storage().nbytes() == 0, "P-3", "0 storage bytes",
          lambda: f"{p.untyped_storage().nbytes()} bytes")
    check(p.is_leaf and p.grad is None and p.grad_fn is None, "P-4",
          "a leaf with grad None and grad_fn None",
          lambda: f"is_leaf={p.is_leaf}, grad={p.grad}, grad_fn={p.grad_fn}")
    layout = (tuple(p.stride()), p.storage_offset())
    check(layout == (_contiguous_strides(tuple(size)), 0), "P-5",
          f"strides {_contiguous_strides(tuple(size))} at offset 0", f"strides/offset {layout}")


@pytest.mark.clause("P-6")
@given(data=st.data())
def test_placeholders_are_independent(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                      data: st.DataObject) -> None:
    size, dtype, device, requires_grad = data.draw(requests(cp_devices), label="request")
    first = cp_impl.new_parameter_placeholder(size, dtype, device, requires_grad)
    second = cp_impl.new_parameter_placeholder(size, dtype, device, requires_grad)
    source = torch.zeros((3, *size), dtype=dtype, device=device)
    cp_impl.tracable_create_parameter(source, first)
    check(second.untyped_storage().nbytes() == 0 and tuple(second.shape) == tuple(size), "P-6",
          f"the other placeholder to keep shape {tuple(size)} and 0 bytes",
          lambda: f"shape {tuple(second.shape)}, {second.untyped_storage().nbytes()} bytes")


@pytest.mark.clause("P-7")
@given(
    negative=st.integers(-5, -1),
    dtype=st.sampled_from((torch.int64, torch.int32, torch.uint8, torch.bool)),
    kind=st.sampled_from(("integer-requires-grad", "negative-size")),
)
def test_invalid_requests_raise(cp_impl: Implementation, negative: int, dtype: torch.dtype,
                                kind: str) -> None:
    if kind == "negative-size":
        request = ((2, negative), torch.float32, "cpu", False)
    else:
        request = ((2,), dtype, "cpu", True)
    try:
        result = cp_impl.new_parameter_placeholder(*request)
    except (RuntimeError, ValueError, TypeError):
        return
    check(False, "P-7", f"RuntimeError, ValueError or TypeError for {kind} {request}",
          f"a result {type(result).__name__} and no error")


@pytest.mark.clause("P-8")
@given(data=st.data())
def test_placeholder_is_pure(cp_impl: Implementation, cp_devices: tuple[str, ...],
                             data: st.DataObject) -> None:
    # Without the switch (a torch 2.4-style module) purity is still checked under no_grad.
    ambients = ("no_grad", "switch_off") if cp_impl.has("do_not_convert_to_tracable_parameter") \
        else ("no_grad",)
    ambient = data.draw(st.sampled_from(ambients), label="ambient")
    request = data.draw(requests(cp_devices), label="request")
    plain = cp_impl.new_parameter_placeholder(*request)
    if ambient == "no_grad":
        with torch.no_grad():
            under = cp_impl.new_parameter_placeholder(*request)
    else:
        with cp_impl.do_not_convert_to_tracable_parameter():
            under = cp_impl.new_parameter_placeholder(*request)

    def describe(p: torch.Tensor) -> tuple:
        return (type(p).__name__, tuple(p.shape), tuple(p.stride()), p.dtype, p.device,
                p.requires_grad, p.untyped_storage().nbytes())

    check(describe(plain) == describe(under), "P-8", f"the same result under {ambient}",
          lambda: f"{describe(under)} instead of {describe(plain)}")
