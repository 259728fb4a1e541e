"""G-clauses: gradients reach the placeholder, exactly, and nothing else."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.batch import draw_cases
from conformance.implementation import Implementation
from conformance.properties._basic import FLOAT_DTYPES, bitwise_equal, shapes, source_like
from conformance.violation import check

gradient_cases = st.tuples(shapes, st.sampled_from(FLOAT_DTYPES), st.integers(0, 2**16))


@pytest.mark.clause("G-1", "G-3")
@given(data=st.data())
def test_gradient_identity(cp_impl: Implementation, cp_batch: int, data: st.DataObject) -> None:
    for shape, dtype, seed in draw_cases(data, gradient_cases, cp_batch):
        check_gradient_identity(cp_impl, shape, dtype, seed)


def check_gradient_identity(cp_impl: Implementation, shape: tuple, dtype: torch.dtype,
                            seed: int) -> None:
    placeholder = cp_impl.new_parameter_placeholder(shape, dtype, "cpu", True)
    out = cp_impl.tracable_create_parameter(source_like(shape, dtype, "cpu", seed), placeholder)
    upstream = source_like(shape, dtype, "cpu", seed + 1)
    out.backward(upstream, retain_graph=True)
    grad = placeholder.grad
    check(grad is not None and bitwise_equal(grad, upstream), "G-1",
          "placeholder.grad bit for bit equal to the upstream gradient", lambda: repr(grad))
    assert grad is not None
    first = grad.clone()
    second = source_like(shape, dtype, "cpu", seed + 2)
    out.backward(second)
    check(bitwise_equal(placeholder.grad, first + second), "G-3",
          "the sum of both upstream gradients", lambda: repr(placeholder.grad))


@pytest.mark.clause("G-2")
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_nothing_reaches_the_source(cp_impl: Implementation, shape: tuple, seed: int) -> None:
    source = source_like(shape, torch.float32, "cpu", seed).requires_grad_(True)
    placeholder = cp_impl.new_parameter_placeholder(shape, torch.float32, "cpu", True)
    try:
        out = cp_impl.tracable_create_parameter(source, placeholder)
    except Exception:
        check(placeholder.untyped_storage().nbytes() == 0 and tuple(placeholder.shape) == shape,
              "G-2", "a rejected source to leave the placeholder unchanged",
              lambda: f"shape {tuple(placeholder.shape)}")
        return
    out.backward(torch.ones_like(out))
    check(source.grad is None, "G-2", "no gradient in source.grad", lambda: repr(source.grad))
    check(placeholder.grad is not None, "G-2", "the gradient in placeholder.grad", "None")


@pytest.mark.clause("G-4")
@given(shape=shapes, requires_grad=st.booleans())
def test_routes_to_accumulate_grad(cp_impl: Implementation, shape: tuple,
                                   requires_grad: bool) -> None:
    placeholder = cp_impl.new_parameter_placeholder(shape, torch.float32, "cpu", requires_grad)
    source = torch.zeros(shape)
    out = cp_impl.tracable_create_parameter(source, placeholder)
    if not requires_grad:
        check(out.grad_fn is None, "G-4", "no grad_fn", repr(out.grad_fn))
        return
    reached: list[object] = []
    pending = [out.grad_fn]
    while pending:
        node = pending.pop()
        if node is None:
            continue
        reached.append(getattr(node, "variable", None))
        pending.extend(next_node for next_node, _ in node.next_functions)
    check(any(v is placeholder for v in reached), "G-4",
          "the placeholder's AccumulateGrad among the grad_fn's ancestors",
          lambda: f"variables {[type(v).__name__ for v in reached]}")
    check(not any(v is source for v in reached), "G-4", "no node of the source", "one found")
