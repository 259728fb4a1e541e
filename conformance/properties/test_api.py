"""A-clauses: the API surface, checked on the names exactly as exposed."""

from __future__ import annotations

import importlib
import inspect

import pytest
import torch

from conformance.deadline import call_with_deadline
from conformance.implementation import Implementation
from conformance.properties._cases import placeholder_for
from conformance.violation import check
from strategies import PlaceholderRequest


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


@pytest.mark.clause("A-1")
def test_placeholder_constructor_signature(cp_impl: Implementation) -> None:
    function = cp_impl.raw("new_parameter_placeholder")
    expected = ["size", "dtype", "device", "requires_grad"]
    check(_parameters(function)[:4] == expected, "A-1", f"parameters {expected}",
          lambda: f"parameters {_parameters(function)}")
    problem = cp_impl.contract_call_problem("new_parameter_placeholder")
    check(problem is None, "A-1", "a call with exactly these four arguments", str(problem))
    by_keyword = cp_impl.new_parameter_placeholder(
        size=(1,), dtype=torch.float32, device="cpu", requires_grad=False
    )
    check(isinstance(by_keyword, torch.Tensor), "A-1", "a tensor from a keyword call",
          type(by_keyword).__name__)


@pytest.mark.clause("A-2")
def test_create_signature(cp_impl: Implementation) -> None:
    function = cp_impl.raw("tracable_create_parameter")
    expected = ["tensor", "placeholder"]
    check(_parameters(function)[:2] == expected, "A-2", f"parameters {expected}",
          lambda: f"parameters {_parameters(function)}")
    problem = cp_impl.contract_call_problem("tracable_create_parameter")
    check(problem is None, "A-2", "a call with exactly these two arguments", str(problem))
    placeholder = placeholder_for(cp_impl, PlaceholderRequest((1,), torch.float32, "cpu", False))
    out = cp_impl.tracable_create_parameter(tensor=torch.zeros(1), placeholder=placeholder)
    check(isinstance(out, torch.Tensor), "A-2", "a tensor from a keyword call",
          type(out).__name__)


@pytest.mark.clause("A-3")
def test_switch_is_a_context_manager(cp_impl: Implementation) -> None:
    function = cp_impl.raw("do_not_convert_to_tracable_parameter")
    required = [
        name for name, parameter in inspect.signature(function).parameters.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    check(not required, "A-3", "no required parameter", f"required {required}")
    manager = call_with_deadline(cp_impl.deadline, "do_not_convert_to_tracable_parameter()",
                                 function)
    protocol = hasattr(type(manager), "__enter__") and hasattr(type(manager), "__exit__")
    check(protocol, "A-3", "a type with __enter__ and __exit__ (a with statement looks there)",
          type(manager).__name__)

    def use_in_with() -> None:
        with manager:
            pass

    call_with_deadline(cp_impl.deadline, "with do_not_convert_to_tracable_parameter()",
                       use_in_with)


@pytest.mark.clause("A-4")
def test_switch_reader_returns_bool(cp_impl: Implementation) -> None:
    value = cp_impl.raw("can_convert_to_tracable_parameter")()
    check(type(value) is bool, "A-4", "a bool", f"{value!r} of type {type(value).__name__}")


@pytest.mark.clause("A-5")
def test_constructor_importable_by_name(cp_impl: Implementation) -> None:
    function = cp_impl.raw("new_parameter_placeholder")
    module_name = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", "")
    check(module_name and "<locals>" not in qualname, "A-5",
          "a module-level function", f"__module__={module_name!r}, __qualname__={qualname!r}")
    found: object = importlib.import_module(str(module_name))
    for part in qualname.split("."):
        found = getattr(found, part, None)
    check(found is function, "A-5", f"{module_name}.{qualname} to be the constructor",
          f"{found!r}")


@pytest.mark.clause("A-6")
def test_autograd_function_exposed(cp_impl: Implementation) -> None:
    node = cp_impl.TracableCreateParameter
    check(isinstance(node, type) and issubclass(node, torch.autograd.Function), "A-6",
          "a torch.autograd.Function subclass", repr(node))
