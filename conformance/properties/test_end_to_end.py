"""E-clauses: the implementation inside ``torch.compile``, called by Dynamo as torch calls it.

Every example swaps the implementation in (:func:`conformance.swap_in.swapped_in`),
compiles a small function that builds ``nn.Parameter`` from an intermediate
tensor (Dynamo takes the API's path only for intermediates), and compares it with
the same function run eagerly, which calls no implementation. Example counts are
small and fixed per profile (:data:`E_EXAMPLES`): each example compiles afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.dynamo_log import dynamo_log, graph_break_reasons
from conformance.implementation import Implementation
from conformance.properties._compiled import (
    call,
    compiled,
    data_device,
    e_settings,
    e_settings_inductor,
    e_shapes,
    grad_dtypes,
    make_input,
    real_sum,
    require_inductor,
    require_tensors,
    same_bits,
    same_parameter,
)
from conformance.properties._tensor_facts import storage_id
from conformance.swap_in import dynamo_settings, swapped_in
from conformance.violation import ClauseViolation, check
from strategies.reuse import reused, sampled_from

FORMS = ("return", "use", "both")
VIEWS = ("as is", "transposed", "strided")


@dataclass(frozen=True)
class Build:
    """One function that builds a parameter from an intermediate: ``x`` of ``shape`` and
    ``dtype``; the intermediate seen through ``view``; the parameter returned, used, or both."""

    shape: tuple[int, ...]
    dtype: torch.dtype
    device: str
    seed: int
    requires_grad: bool
    view: str
    form: str

    def input(self) -> torch.Tensor:
        return make_input(self.shape, self.dtype, self.device, self.seed)

    def function(self) -> Callable[[torch.Tensor], Any]:
        """A fresh function object each time (Dynamo caches by code and guards)."""
        requires_grad, view, form = self.requires_grad, self.view, self.form

        def build(x: torch.Tensor) -> Any:
            t = x * 2 + 1
            if view == "transposed" and t.dim() >= 2:
                t = t.transpose(0, -1)
            elif view == "strided" and t.dim() >= 1:
                t = t[..., ::2]
            w = torch.nn.Parameter(t, requires_grad=requires_grad)
            if form == "return":
                return (w,)
            # Two gradient terms at most (from w and from w * t): their sum does not depend
            # on the order autograd adds them in, so bitwise equality is a fair demand.
            used = w * t
            return (used,) if form == "use" else (w, used)

        return build


_SEEDS = st.integers(0, 2**16)
_COIN = st.booleans()
_FORMS = st.sampled_from(FORMS)


@reused
@st.composite
def builds(draw: st.DrawFn, allowed: tuple[str, ...], *, max_rank: int = 8,
           views: tuple[str, ...] = VIEWS, full_precision: bool = False) -> Build:
    device = data_device(allowed)
    return Build(
        shape=draw(e_shapes(max_rank)), dtype=draw(grad_dtypes(device, full_precision)),
        device=device,
        seed=draw(_SEEDS), requires_grad=draw(_COIN),
        view=draw(sampled_from(views)), form=draw(_FORMS),
    )


def backward_grads(outputs: tuple[torch.Tensor, ...]) -> torch.Tensor | None:
    """Backward from every output that requires grad; the parameter's ``.grad``
    (the parameter is the first output of forms "return" and "both")."""
    losses = [real_sum(o) for o in outputs if o.requires_grad]
    if losses:
        torch.stack(losses).sum().backward()
    first = outputs[0]
    return first.grad if isinstance(first, torch.nn.Parameter) else None


def check_compiled_equals_eager(impl: Implementation, case: Build, clause: str = "E-1",
                                backend: str = "aot_eager", fullgraph: bool = True) -> None:
    """E-1 (and E-7, with the implementation as shipped): outputs, parameter and
    gradient of compiled code equal eager's."""
    x = case.input()
    got = call(impl, clause, f"torch.compile(backend={backend!r}) of {case}",
               compiled(case.function(), backend=backend, fullgraph=fullgraph), x)
    expected = case.function()(x)
    check(len(got) == len(expected), clause, f"{len(expected)} outputs", len(got))
    for index, (g, e) in enumerate(zip(got, expected, strict=True)):
        same_bits(clause, f"output {index}", g, e)
        if isinstance(e, torch.nn.Parameter):
            same_parameter(clause, f"output {index}", g, e)
    same_bits(clause, "the parameter's .grad after backward", backward_grads(got),
              backward_grads(expected))


@pytest.mark.clause("E-1")
@e_settings()
@given(data=st.data())
def test_compiled_equals_eager(cp_impl: Implementation, cp_devices: tuple[str, ...],
                               data: st.DataObject) -> None:
    require_tensors(cp_impl, cp_devices)
    case = data.draw(builds(cp_devices), label="case")
    with dynamo_log(), swapped_in(cp_impl):
        check_compiled_equals_eager(cp_impl, case)


@pytest.mark.clause("E-2")
@e_settings()
@given(data=st.data())
def test_fresh_parameter_per_call(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                  data: st.DataObject) -> None:
    require_tensors(cp_impl, cp_devices)
    case = data.draw(builds(cp_devices, max_rank=4), label="case")
    case = Build(case.shape, case.dtype, case.device, case.seed, True, case.view, "both")
    other_shape = data.draw(e_shapes(4).filter(lambda s: s != case.shape), label="other shape")
    compiles: list[int] = []

    def counting(graph: torch.fx.GraphModule, inputs: list[Any]) -> Any:
        compiles.append(1)
        return torch._dynamo.lookup_backend("aot_eager")(graph, inputs)

    with dynamo_log(), swapped_in(cp_impl, config={"automatic_dynamic_shapes": False}):
        function = compiled(case.function(), backend=counting)
        x = case.input()
        first = call(cp_impl, "E-2", "the first compiled call", function, x)
        after_first = len(compiles)  # Dynamo may call the backend more than once for one frame
        second = call(cp_impl, "E-2", "the second compiled call, same shapes", function, x)
        check(len(compiles) == after_first, "E-2", "the second call to reuse the compiled code",
              f"{len(compiles) - after_first} more compilations")
        w1, w2 = first[0], second[0]
        check(w1 is not w2 and storage_id(w1) != storage_id(w2), "E-2",
              "a new parameter with its own storage on each call",
              lambda: "the same parameter" if w1 is w2 else "one storage shared by both calls")
        expected = case.function()(x)
        grad_1, grad_2 = backward_grads(first), backward_grads(second)
        expected_grad = backward_grads(expected)
        same_bits("E-2", "the first call's parameter after both calls", w1, expected[0])
        same_bits("E-2", "the first call's .grad after both backwards", grad_1, expected_grad)
        same_bits("E-2", "the second call's .grad", grad_2, expected_grad)
        if grad_1 is not None and grad_2 is not None and grad_1.numel():
            check(storage_id(grad_1) != storage_id(grad_2), "E-2", "gradients in separate storages",
                  "one gradient storage shared by both calls")
        other = make_input(other_shape, case.dtype, case.device, case.seed)
        got = call(cp_impl, "E-2", f"a compiled call with new shape {other_shape}", function, other)
        check(len(compiles) > after_first, "E-2", "a recompilation for the new shape",
              "the code compiled for the first shape ran")
        for index, (g, e) in enumerate(zip(got, case.function()(other), strict=True)):
            same_bits("E-2", f"output {index} after recompiling", g, e)


GRAD_MODES: dict[str, Callable[[], Any]] = {
    "no_grad": torch.no_grad, "inference_mode": torch.inference_mode,
}


@pytest.mark.clause("E-3")
@e_settings()
@given(data=st.data())
def test_grad_modes_at_call_site(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                 data: st.DataObject) -> None:
    """Both call-site modes in every example (a bug under one of them is never left to luck)."""
    require_tensors(cp_impl, cp_devices)
    case = data.draw(builds(cp_devices, max_rank=4), label="case")
    case = Build(case.shape, case.dtype, case.device, case.seed, True, case.view, "return")
    with dynamo_log(), swapped_in(cp_impl):
        function = compiled(case.function())
        x = case.input()
        for mode in sorted(GRAD_MODES):
            with GRAD_MODES[mode]():
                (got,) = call(cp_impl, "E-3", f"a compiled call under {mode}", function, x)
                (expected,) = case.function()(x)
            same_parameter("E-3", f"the parameter built under {mode}", got, expected)
            check(got.is_inference() == expected.is_inference(), "E-3",
                  f"is_inference() {expected.is_inference()} as eager", got.is_inference())
            same_bits("E-3", f"the parameter built under {mode}", got, expected)
            if mode == "no_grad":
                same_bits("E-3", "the .grad of a parameter built under no_grad",
                          _trained(got), _trained(expected))


def _trained(parameter: torch.Tensor) -> torch.Tensor | None:
    """One backward step through ``parameter``; its ``.grad``."""
    real_sum(parameter * parameter).backward()
    return parameter.grad


INPLACE = ("add_ under no_grad", "zero_ under no_grad", "add_ seen through the intermediate")


def _inplace_function(kind: str) -> Callable[[torch.Tensor], Any]:
    def mutate(x: torch.Tensor) -> Any:
        if kind == "add_ under no_grad":  # pytorch#125284: a parameter of a constant
            w = torch.nn.Parameter(torch.ones_like(x))
            with torch.no_grad():
                w.add_(x)
            return (w,)
        y = x * 2
        w = torch.nn.Parameter(y)
        with torch.no_grad():  # pytorch#126960
            if kind == "zero_ under no_grad":
                w.zero_()
            else:
                w.add_(1)
        return (y, w)

    return mutate


@pytest.mark.clause("E-4")
@e_settings()
@given(data=st.data())
def test_in_place_use(cp_impl: Implementation, cp_devices: tuple[str, ...],
                      data: st.DataObject) -> None:
    """Every mutation of :data:`INPLACE` in every example."""
    require_tensors(cp_impl, cp_devices)
    case = data.draw(builds(cp_devices, max_rank=4), label="case")
    with dynamo_log(), swapped_in(cp_impl):
        x = case.input()
        for kind in INPLACE:
            got = call(cp_impl, "E-4", f"compiled {kind}", compiled(_inplace_function(kind)), x)
            expected = _inplace_function(kind)(x)
            for index, (g, e) in enumerate(zip(got, expected, strict=True)):
                same_bits("E-4", f"{kind}: output {index}", g, e)
            same_parameter("E-4", f"{kind}: the parameter", got[-1], expected[-1])


class Built(torch.nn.Module):
    """A module constructed inside compiled code (E-5)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(width) * 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


def _build_module(x: torch.Tensor) -> torch.Tensor:
    return Built(x.shape[-1])(x)


SWITCH_BREAK = "cannot convert"
"""Part of the graph-break reason Dynamo gives when it reads the switch as off."""


def _switch_breaks() -> int:
    return sum(SWITCH_BREAK in reason for reason in graph_break_reasons())


@pytest.mark.clause("E-5")
@e_settings()
@given(width=st.integers(1, 5), rows=st.integers(1, 3))
def test_switch_in_its_real_caller(cp_impl: Implementation, cp_devices: tuple[str, ...],
                                   width: int, rows: int) -> None:
    require_tensors(cp_impl, cp_devices)
    device = data_device(cp_devices)
    reader = cp_impl.can_convert_to_tracable_parameter
    switch = cp_impl.do_not_convert_to_tracable_parameter
    x = make_input((rows, width), torch.float32, device, width)
    with dynamo_log(), swapped_in(cp_impl):
        got = call(cp_impl, "E-5", "a compiled function that builds a module",
                   compiled(_build_module, fullgraph=False), x)
        same_bits("E-5", "the module's output", got, _build_module(x))
        check(_switch_breaks() >= 1, "E-5",
              "Dynamo to read the switch as off while tracing the module's construction (a "
              f"graph break '{SWITCH_BREAK}')", lambda: f"graph breaks {graph_break_reasons()}")
        check(reader() is True, "E-5", "the switch to read True after compiling", reader())
        _check_two_threads(cp_impl, switch, x)


def _check_two_threads(impl: Implementation, switch: Callable[[], Any],
                       x: torch.Tensor) -> None:
    """E-5: one thread compiles inside the switch, another outside it, at once; each sees
    its own switch (distinct functions: Dynamo's cache does not guard on the switch)."""
    both_ready = threading.Barrier(2, timeout=30)
    results: dict[str, Any] = {}

    def inside() -> None:
        def build_inside(v: torch.Tensor) -> torch.Tensor:
            return torch.nn.Parameter(v * 3)
        try:
            with dynamo_settings(), switch():
                both_ready.wait()
                compiled(build_inside)(x)
            results["inside"] = "compiled although its switch was off"
        except torch._dynamo.exc.Unsupported as error:
            results["inside"] = "graph break" if SWITCH_BREAK in str(error) else str(error)
        except BaseException as error:  # reported as the clause's failure
            results["inside"] = f"{type(error).__name__}: {error}"

    def outside() -> None:
        def build_outside(v: torch.Tensor) -> torch.Tensor:
            return torch.nn.Parameter(v * 5)
        try:
            with dynamo_settings():
                both_ready.wait()
                out = compiled(build_outside)(x)
                results["outside"] = "ok" if torch.equal(out, x * 5) else f"wrong result {out}"
        except BaseException as error:  # reported as the clause's failure
            results["outside"] = f"{type(error).__name__}: {str(error)[:300]}"

    threads = [threading.Thread(target=inside), threading.Thread(target=outside)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(impl.deadline + 60)
    check(not any(thread.is_alive() for thread in threads), "E-5",
          "both compiling threads to finish", "a thread hung")
    check(results.get("inside") == "graph break", "E-5",
          "the thread inside the switch to graph-break on nn.Parameter under fullgraph",
          results.get("inside"))
    check(results.get("outside") == "ok", "E-5",
          "the thread outside the switch to compile nn.Parameter in one graph",
          results.get("outside"))


@pytest.mark.clause("E-6")
@e_settings()
@given(data=st.data())
def test_in_graph_gradients(cp_impl: Implementation, cp_devices: tuple[str, ...],
                            data: st.DataObject) -> None:
    require_tensors(cp_impl, cp_devices)
    case = data.draw(builds(cp_devices, max_rank=4), label="case")

    def step(x: torch.Tensor) -> Any:
        w = torch.nn.Parameter(x * 3)
        loss = real_sum(w * w * x)
        (grad,) = torch.autograd.grad(loss, [w])
        return grad

    # On a torch without config.trace_autograd_ops the swap-in says not-applicable.
    with dynamo_log(), swapped_in(cp_impl, config={"trace_autograd_ops": True}):
        x = case.input()
        got = call(cp_impl, "E-6", "torch.autograd.grad inside compiled code", compiled(step), x)
        same_bits("E-6", "the in-graph gradient", got, step(x))


FIX = ("fix: ship new_parameter_placeholder = torch.compiler.disable(new_parameter_placeholder) "
       "at module level, so Dynamo never compiles the constructor that compiled code calls by "
       "module and name")


@pytest.mark.clause("E-7")
@e_settings()
@given(data=st.data())
def test_safe_as_shipped(cp_impl: Implementation, cp_devices: tuple[str, ...],
                         data: st.DataObject) -> None:
    require_tensors(cp_impl, cp_devices)
    case = data.draw(builds(cp_devices, max_rank=4), label="case")
    with dynamo_log(), swapped_in(cp_impl, opaque_constructor=False):
        try:
            check_compiled_equals_eager(cp_impl, case, clause="E-7", fullgraph=False)
        except ClauseViolation as error:
            raise ClauseViolation(error.clause_id, error.expected, f"{error.actual}; {FIX}"
                                  ) from None


@pytest.mark.clause("E-8")
@e_settings_inductor()
@given(data=st.data())
def test_inductor_backend(cp_impl: Implementation, cp_devices: tuple[str, ...], cp_profile: str,
                          data: st.DataObject) -> None:
    """E-1's check with ``backend="inductor"``: contiguous intermediates, dtypes of 32 bits a
    component and more (see E-8)."""
    require_inductor(cp_profile)
    require_tensors(cp_impl, cp_devices)
    case = data.draw(builds(cp_devices, views=("as is",), full_precision=True), label="case")
    # Deferred: importing inductor's config costs every other E test otherwise.
    from torch._inductor import config as inductor_config

    # One compile thread: inductor's pool of compile threads would outlive the test (it
    # would fail the suite's thread-leak check) and buys nothing for kernels this small.
    with dynamo_log(), swapped_in(cp_impl), inductor_config.patch(compile_threads=1):
        check_compiled_equals_eager(cp_impl, case, clause="E-8", backend="inductor")
