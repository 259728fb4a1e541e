"""Grad-mode contexts: the model matches torch, the strategy reaches every mode, and the
inference-mode behaviour documented in ``strategies.grad_modes`` holds for both the
reference implementation and torch's module."""

from __future__ import annotations

import itertools
from types import ModuleType

import pytest
import torch
from hypothesis import find, given, settings

import reference_impl
from strategies.bitwise import bitwise_equal
from strategies.grad_modes import COMMON_GRAD_MODES, PRIMITIVE_MODES, GradMode, grad_modes
from tests.sampling import sample


def ambient() -> tuple[bool, bool]:
    return torch.is_grad_enabled(), torch.is_inference_mode_enabled()


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_model_matches_torch_for_every_chain(depth: int) -> None:
    for steps in itertools.product(PRIMITIVE_MODES, repeat=depth):
        mode = GradMode(">".join(steps) if steps else "enabled")
        with mode.enter():
            assert ambient() == (mode.expected_grad_enabled, mode.expected_inference_mode), mode
        assert ambient() == (True, False)


def test_enter_restores_on_exception_and_is_reusable() -> None:
    mode = GradMode("no_grad>inference_mode")
    for _ in range(2):
        with pytest.raises(KeyError), mode.enter():
            assert ambient() == (False, True)
            raise KeyError("boom")
        assert ambient() == (True, False)


def test_strategy_reaches_every_common_and_primitive_mode() -> None:
    drawn = sample(grad_modes(), 300)
    names = {mode.name for mode in drawn}
    assert {mode.name for mode in COMMON_GRAD_MODES} <= names
    steps = {step for mode in drawn for step in mode.steps}
    assert steps == set(PRIMITIVE_MODES)
    assert any(len(mode.steps) == 3 for mode in drawn)
    assert {mode.expected_grad_enabled for mode in drawn} == {True, False}
    assert find(grad_modes(), lambda mode: True) == GradMode("enabled")


def test_strategy_can_leave_out_inference_mode() -> None:
    drawn = sample(grad_modes(include_inference=False), 150)
    assert drawn and not any(mode.uses_inference_mode for mode in drawn)
    assert any(mode.name == "no_grad>enable_grad" for mode in drawn)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="known:"):
        GradMode("no_grad>sometimes_grad")
    assert repr(GradMode("no_grad")) == "GradMode('no_grad')"


@given(grad_modes())
@settings(max_examples=40, database=None, deadline=None)
def test_reference_output_follows_placeholder_under_any_mode(mode: GradMode) -> None:
    """C-4/C-5 with the placeholder made outside the mode (the C-7 proposal's case (a))."""
    placeholder = reference_impl.new_parameter_placeholder((2,), torch.float32, "cpu", True)
    with mode.enter():
        out = reference_impl.tracable_create_parameter(torch.ones(2), placeholder)
        assert ambient() == (mode.expected_grad_enabled, mode.expected_inference_mode)
    assert out.requires_grad


# --- inference-mode findings (strategies.grad_modes docstring) ---------------------------

IMPLEMENTATIONS = [
    pytest.param(reference_impl, id="reference"),
    pytest.param(pytest.importorskip("torch._dynamo.create_parameter_op"), id="torch"),
]
GRAD = torch.tensor([1.0, -0.0, float("nan")])


@pytest.mark.parametrize("module", IMPLEMENTATIONS)
@pytest.mark.parametrize("requires_grad", [True, False])
def test_case_a_create_inside_inference_mode(module: ModuleType, requires_grad: bool) -> None:
    placeholder = module.new_parameter_placeholder((3,), torch.float32, "cpu", requires_grad)
    source = torch.randn(3)
    with torch.inference_mode():
        out = module.tracable_create_parameter(source, placeholder)
        assert ambient() == (False, True)
    assert out.requires_grad == requires_grad
    assert out.data_ptr() == source.data_ptr() and not out.is_inference()
    if requires_grad:
        out.backward(GRAD)
        assert placeholder.grad is not None and bitwise_equal(placeholder.grad, GRAD)
        assert source.grad is None


@pytest.mark.parametrize("module", IMPLEMENTATIONS)
def test_case_b_inference_placeholder_used_outside_raises(module: ModuleType) -> None:
    with torch.inference_mode():
        placeholder = module.new_parameter_placeholder((2, 3), torch.float32, "cpu", True)
    assert placeholder.is_inference() and placeholder.requires_grad
    assert placeholder.untyped_storage().nbytes() == 0
    source = torch.randn(3, 2).t()
    with pytest.raises(RuntimeError, match="nference"):
        module.tracable_create_parameter(source, placeholder)
    assert ambient() == (True, False)
    # Observed: the placeholder was already rebound when the error came (not C-6 clean).
    assert placeholder.stride() == source.stride()
    # Inside inference mode throughout, it works and backward (outside) reaches it.
    with torch.inference_mode():
        placeholder = module.new_parameter_placeholder((3,), torch.float32, "cpu", True)
        out = module.tracable_create_parameter(torch.randn(3), placeholder)
    assert out.requires_grad and out.is_inference()
    out.backward(GRAD)
    assert placeholder.grad is not None and bitwise_equal(placeholder.grad, GRAD)


@pytest.mark.parametrize("module", IMPLEMENTATIONS)
def test_case_c_inference_source_taken_over_outside(module: ModuleType) -> None:
    with torch.inference_mode():
        source = torch.randn(3)
    placeholder = module.new_parameter_placeholder((3,), torch.float32, "cpu", True)
    out = module.tracable_create_parameter(source, placeholder)
    assert out.requires_grad and not placeholder.is_inference()
    assert placeholder.data_ptr() == source.data_ptr()
    out.backward(GRAD)
    assert placeholder.grad is not None and bitwise_equal(placeholder.grad, GRAD)
    with torch.no_grad():
        placeholder.add_(1.0)  # an optimizer step on the new parameter works
    assert bool((source == placeholder).all())
