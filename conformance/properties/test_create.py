"""C-clauses: ``tracable_create_parameter``."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.implementation import Implementation
from conformance.properties._basic import bitwise_equal, requests, source_like
from conformance.violation import check


def _layout(t: torch.Tensor) -> tuple:
    strides = tuple(s if n > 1 else None for n, s in zip(t.shape, t.stride(), strict=True))
    return (tuple(t.shape), strides, t.storage_offset(), t.dtype, t.device)


@pytest.mark.clause("C-1", "C-2", "C-3")
@given(data=st.data(), seed=st.integers(0, 2**16), transpose=st.booleans())
def test_takes_over_the_source(cp_impl: Implementation, cp_devices: tuple[str, ...],
                               data: st.DataObject, seed: int, transpose: bool) -> None:
    size, dtype, device, requires_grad = data.draw(requests(cp_devices), label="request")
    source = source_like(size, dtype, device, seed)
    if transpose and source.dim() >= 2:
        source = source.transpose(0, 1)
    placeholder = cp_impl.new_parameter_placeholder(tuple(source.shape), dtype, device,
                                                    requires_grad)
    snapshot = source.clone()
    out = cp_impl.tracable_create_parameter(source, placeholder)
    if device != "meta" and source.numel() > 0:
        shared = out.data_ptr() == source.data_ptr() == placeholder.data_ptr()
        check(shared, "C-1", "output, placeholder and source to share one data pointer",
              lambda: f"{out.data_ptr()}, {placeholder.data_ptr()}, {source.data_ptr()}")
    for name, tensor in (("output", out), ("placeholder", placeholder)):
        check(_layout(tensor) == _layout(source), "C-2", f"{name} layout {_layout(source)}",
              lambda tensor=tensor: _layout(tensor))
    check(bitwise_equal(out, snapshot), "C-3", "output bits equal to the source's before the call",
          "different bits")


@pytest.mark.clause("C-4", "C-5")
@given(data=st.data(), mode=st.sampled_from(("enabled", "no_grad")))
def test_requires_grad_follows_the_placeholder(cp_impl: Implementation,
                                               cp_devices: tuple[str, ...],
                                               data: st.DataObject, mode: str) -> None:
    size, dtype, device, requires_grad = data.draw(requests(cp_devices), label="request")
    placeholder = cp_impl.new_parameter_placeholder(size, dtype, device, requires_grad)
    with torch.set_grad_enabled(mode == "enabled"):
        out = cp_impl.tracable_create_parameter(torch.zeros(size, dtype=dtype, device=device),
                                                placeholder)
        after = torch.is_grad_enabled()
    check(after == (mode == "enabled"), "C-5", f"grad mode {mode == 'enabled'} after the call",
          after)
    check(out.requires_grad == requires_grad, "C-4", f"requires_grad={requires_grad} under {mode}",
          f"requires_grad={out.requires_grad}")


@pytest.mark.clause("C-5", "C-6")
@given(data=st.data(), mode=st.sampled_from(("enabled", "no_grad")))
def test_mismatch_raises_without_change(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                        data: st.DataObject, mode: str) -> None:
    size, dtype, device, requires_grad = data.draw(requests(cp_devices), label="request")
    placeholder = cp_impl.new_parameter_placeholder(size, dtype, device, requires_grad)
    other = torch.float64 if dtype != torch.float64 else torch.float32
    before = (*_layout(placeholder), placeholder.requires_grad,
              placeholder.untyped_storage().nbytes())
    with torch.set_grad_enabled(mode == "enabled"):
        try:
            cp_impl.tracable_create_parameter(torch.zeros(size, dtype=other, device=device),
                                              placeholder)
            raised = False
        except Exception:
            raised = True
        after_mode = torch.is_grad_enabled()
    check(after_mode == (mode == "enabled"), "C-5", "grad mode unchanged after a raising call",
          after_mode)
    check(raised, "C-6", f"an error for a {other} source into a {dtype} placeholder", "no error")
    after = (*_layout(placeholder), placeholder.requires_grad,
             placeholder.untyped_storage().nbytes())
    check(after == before, "C-6", f"placeholder unchanged {before}", after)
