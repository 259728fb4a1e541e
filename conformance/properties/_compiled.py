"""Shared pieces of the end-to-end properties (E-clauses): compiling, calling, comparing.

Eager ``nn.Parameter(t)`` calls no implementation, so the eager run of the same
function is the oracle. Each example runs under :func:`conformance.swap_in.swapped_in`
(Dynamo reset on entry and exit), every compiled call is bounded by the
implementation's deadline plus time for a first compile (:func:`compiled_call_bound`:
a cold compile takes a second or two, a hang still fails), and Dynamo's warnings and graph-break
reasons are captured by :mod:`conformance.dynamo_log`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from typing import Any

import torch
from hypothesis import settings
from hypothesis import strategies as st

from conformance.applicability import NotApplicable
from conformance.deadline import call_with_deadline
from conformance.dynamo_log import first_lines
from conformance.implementation import Implementation
from conformance.properties._cases import placeholder_for, taken_over
from conformance.properties._tensor_facts import can_add
from conformance.violation import check
from strategies import PlaceholderRequest, dtypes, has_data, shapes
from strategies.bitwise import first_bitwise_difference
from strategies.dtypes import DtypeInfo
from strategies.reuse import reused

COMPILE_ALLOWANCE = 60.0
"""Most seconds a compiled call may take beyond the implementation's deadline (a cold
compile; inductor's first takes about 15 s)."""
COMPILE_ALLOWANCE_DEADLINES = 10
"""A compiled call's allowance in deadlines, up to :data:`COMPILE_ALLOWANCE`: a short
``--cp-deadline`` (the kill matrix uses 2 s) makes a hang under compilation fail fast."""

E_EXAMPLES = max(3, min((settings.default or settings()).max_examples // 10, 200))
"""Examples per E property: each one compiles afresh (about 0.1 s, 1 s the first time),
so a tenth of the profile's count (dev 6, ci 10, nightly 200)."""

INDUCTOR_PROFILE = "nightly"
"""The only profile that checks E-8: inductor compiles C++ (about 15 s cold, 1 s an example)."""
INDUCTOR_EXAMPLES = max(3, E_EXAMPLES // 4)
"""Examples of the inductor property (nightly: 50)."""

E_SHAPE_ELEMENTS = 24
GRAD_DTYPE_FAMILIES = ("float", "complex")
"""Dtypes autograd supports and arithmetic works on (float8 has neither)."""


def e_settings() -> settings:
    """The Hypothesis settings of every E property (a small, fixed example count)."""
    return settings(max_examples=E_EXAMPLES)


def e_settings_inductor() -> settings:
    """The Hypothesis settings of the inductor property (E-8)."""
    return settings(max_examples=INDUCTOR_EXAMPLES)


def require_inductor(profile: str) -> None:
    """E-8 runs only under :data:`INDUCTOR_PROFILE` and with a C++ compiler; else the
    clause is not applicable, with the reason."""
    if profile != INDUCTOR_PROFILE:
        raise NotApplicable(
            f"backend='inductor' is checked only by the {INDUCTOR_PROFILE} profile (it compiles "
            f"C++: about 15 s cold, 1 s per example); this run's profile: {profile}")
    compilers = [os.environ.get("CXX", ""), "c++", "g++", "clang++"]
    if not any(name and shutil.which(name) for name in compilers):
        raise NotApplicable("backend='inductor' needs a C++ compiler (CXX, c++, g++ or "
                            "clang++) on PATH; none was found")


def data_device(allowed: Sequence[str]) -> str:
    """The first allowed device holding data (compiled results are compared by value)."""
    for device in allowed:
        if has_data(device):
            return device
    raise NotApplicable(f"no device with data among {', '.join(allowed)} (E-clauses compare "
                        "values)")


def require_tensors(impl: Implementation, allowed: Sequence[str]) -> None:
    """Called eagerly once before an example compiles anything, the constructor and the
    take-over must give tensors: otherwise P-1 or A-2 fails, and the E clause is blocked by
    it (one root cause, one failure) instead of failing inside compiled code."""
    device = data_device(allowed)
    placeholder = placeholder_for(impl, PlaceholderRequest((2,), torch.float32, device, True))
    taken_over(impl, torch.zeros(2, device=device), placeholder)


FULL_PRECISION_BYTES = 4
"""Inductor computes float16 and bfloat16 in float32 and rounds once per fused kernel, so
its bits differ from eager's whichever implementation runs; from 4 bytes a component on,
it computes in the dtype itself (E-8)."""


@reused  # one per device and precision: its ``where`` predicate is made once, here
def grad_dtypes(device: str, full_precision: bool = False) -> st.SearchStrategy[torch.dtype]:
    """Dtypes a parameter built end to end may have: they require grad and add
    (``full_precision``: only those of :data:`FULL_PRECISION_BYTES` a component or more)."""
    def usable(info: DtypeInfo) -> bool:
        component = info.dtype.to_real() if info.dtype.is_complex else info.dtype
        wide = component.itemsize >= FULL_PRECISION_BYTES
        return can_add(info.dtype, device) and (wide or not full_precision)

    return dtypes(device, requires_grad=True, families=GRAD_DTYPE_FAMILIES,
                  where=usable).map(lambda info: info.dtype)


def e_shapes(max_rank: int = 8) -> st.SearchStrategy[tuple[int, ...]]:
    """0-d, zero-size and up to rank 8, few elements (layouts matter, size does not)."""
    return shapes(max_rank=max_rank, max_elements=E_SHAPE_ELEMENTS)


def make_input(shape: Sequence[int], dtype: torch.dtype, device: str, seed: int) -> torch.Tensor:
    """A deterministic input tensor: the same draw builds the same bits."""
    generator = torch.Generator().manual_seed(seed)
    real = torch.float64 if dtype.is_complex else dtype
    values = torch.randn(tuple(shape), generator=generator, dtype=torch.float64)
    tensor = values.to(real)
    if dtype.is_complex:
        tensor = torch.complex(tensor, values.flip(-1) if values.dim() else values).to(dtype)
    return tensor.to(device)


def real_sum(tensor: torch.Tensor) -> torch.Tensor:
    """A real scalar from any output, so backward needs no upstream gradient."""
    if tensor.is_complex():
        if tensor.numel() == 0:  # view_as_real's backward refuses some zero-size strides
            return tensor.real.sum()
        return torch.view_as_real(tensor.contiguous()).sum()
    return tensor.sum()


def compiled(function: Callable[..., Any], *, fullgraph: bool = True,
             backend: Any = "aot_eager") -> Callable[..., Any]:
    return torch.compile(function, backend=backend, fullgraph=fullgraph)


def compiled_call_bound(deadline: float) -> float:
    """Seconds a compiled call may take: the deadline plus room for a first compile
    (deadline 30 s: 90 s; 2 s: 22 s)."""
    return deadline + min(COMPILE_ALLOWANCE, COMPILE_ALLOWANCE_DEADLINES * deadline)


def call(impl: Implementation, clause: str, what: str, function: Callable[..., Any],
         *args: Any) -> Any:
    """Call compiled code, bounded; any exception fails ``clause`` with what Dynamo said."""
    try:
        return call_with_deadline(compiled_call_bound(impl.deadline), what, function, *args)
    except RecursionError as error:
        raise_failure(clause, what, f"RecursionError: {str(error)[:200]}")
    except Exception as error:  # compile errors name the implementation's frames
        raise_failure(clause, what, f"{type(error).__name__}: {first_lines(str(error))}")


def raise_failure(clause: str, what: str, got: str) -> None:
    check(False, clause, f"{what} to run as it does eagerly", got)


def same_bits(clause: str, what: str, got: torch.Tensor | None,
              expected: torch.Tensor | None) -> None:
    """Fail ``clause`` unless ``got`` equals eager's ``expected`` bit for bit (None: both)."""
    if got is None or expected is None:
        check(got is None and expected is None, clause, f"{what}: {expected!r:.60}",
              lambda: f"{got!r:.60}")
        return
    difference = first_bitwise_difference(got.detach(), expected.detach())
    check(difference is None, clause, f"{what} bit for bit as eager", lambda: str(difference))


def parameter_facts(tensor: torch.Tensor) -> dict[str, object]:
    """What E-1 compares between a compiled and an eager parameter."""
    return {
        "type": type(tensor).__name__,
        "shape": tuple(tensor.shape),
        "dtype": tensor.dtype,
        "device": str(tensor.device),
        "requires_grad": tensor.requires_grad,
        "is_leaf": tensor.is_leaf,
    }


def same_parameter(clause: str, what: str, got: torch.Tensor, expected: torch.Tensor) -> None:
    check(parameter_facts(got) == parameter_facts(expected), clause,
          f"{what} like eager's: {parameter_facts(expected)}", lambda: str(parameter_facts(got)))
