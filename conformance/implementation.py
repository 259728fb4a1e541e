"""An implementation under test: the four public names, looked up lazily.

Any module or object exposing some of :data:`PUBLIC_NAMES` is an
implementation. A property that needs a name the implementation lacks gets a
:class:`MissingApi`, which the plugin reports as ``missing-api`` for the
property's clauses instead of a crash (issue: a torch 2.4-style module without
the switch must still be checked for everything else).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from conformance.applicability import Blocked
from conformance.deadline import DEFAULT_SECONDS, guard

REQUIRED_NAMES = (
    "new_parameter_placeholder",
    "tracable_create_parameter",
    "do_not_convert_to_tracable_parameter",
    "can_convert_to_tracable_parameter",
)
OPTIONAL_NAMES = ("TracableCreateParameter",)
PUBLIC_NAMES = REQUIRED_NAMES + OPTIONAL_NAMES

CONTRACT_CALLS = {
    "new_parameter_placeholder": ("A-1", ("size", "dtype", "device", "requires_grad")),
    "tracable_create_parameter": ("A-2", ("tensor", "placeholder")),
}
"""The calls every other clause relies on: name -> (the clause that states the
call, its parameters). When one cannot be made, that clause fails and every
other property that needs the name is :class:`Blocked` by it."""

MISSING_API_PREFIX = "missing-api:"


class MissingApi(pytest.skip.Exception):  # type: ignore[name-defined]
    """The implementation lacks a public name a property needs.

    A skip outcome, so Hypothesis re-raises it at once instead of shrinking,
    and pytest (and xdist) carry it as a skip whose reason starts with
    :data:`MISSING_API_PREFIX`.
    """

    def __init__(self, implementation: str, name: str) -> None:
        self.implementation = implementation
        self.name = name
        super().__init__(
            f"{MISSING_API_PREFIX} implementation {implementation!r} has no {name!r}",
            _use_item_location=True,
        )


@dataclass(frozen=True)
class Implementation:
    """A loaded implementation: ``spec`` as the user wrote it, ``origin`` where
    its code came from, ``namespace`` the object holding the public names."""

    spec: str
    origin: str
    namespace: Any = field(repr=False)
    id: str = ""
    deadline: float = DEFAULT_SECONDS
    _call_problems: dict[str, str | None] = field(
        default_factory=dict, repr=False, compare=False
    )
    # name -> (the raw function, its guarded wrapper): get() runs twice per checked case
    _guarded: dict[str, tuple[Any, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __repr__(self) -> str:
        return f"Implementation({self.spec!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Keep Hypothesis's falsifying examples to the SPEC, not the whole module."""
        printer.text(repr(self))

    def has(self, name: str) -> bool:
        return callable(getattr(self.namespace, name, None))

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(name for name in REQUIRED_NAMES if not self.has(name))

    def raw(self, name: str) -> Any:
        """The public ``name`` exactly as the implementation exposes it, or :class:`MissingApi`."""
        value = getattr(self.namespace, name, None)
        if value is None:
            raise MissingApi(self.spec, name)
        return value

    def contract_call_problem(self, name: str) -> str | None:
        """Why ``name`` cannot be called with the contract's arguments by position
        (:data:`CONTRACT_CALLS`; the properties call so), or None when it can (or cannot be
        told). Keyword calls are A-1's and A-2's own business."""
        if name not in self._call_problems:
            self._call_problems[name] = _call_problem(name, getattr(self.namespace, name, None))
        return self._call_problems[name]

    def get(self, name: str) -> Any:
        """The public ``name``, each call bounded by :attr:`deadline`; or :class:`MissingApi`,
        or :class:`Blocked` when the contract's call of it cannot be made (A-1, A-2).

        Classes (``TracableCreateParameter``) come back as they are.
        """
        value = self.raw(name)
        known = self._guarded.get(name)
        if known is not None and known[0] is value:  # the same function as last time
            return known[1]
        if isinstance(value, type) or not callable(value):
            return value
        problem = self.contract_call_problem(name)
        if problem is not None:
            raise Blocked(CONTRACT_CALLS[name][0], problem)
        guarded = guard(value, name, self.deadline)
        self._guarded[name] = (value, guarded)
        return guarded

    def with_deadline(self, seconds: float) -> Implementation:
        return replace(self, deadline=seconds)

    @property
    def new_parameter_placeholder(self) -> Any:
        return self.get("new_parameter_placeholder")

    @property
    def tracable_create_parameter(self) -> Any:
        return self.get("tracable_create_parameter")

    @property
    def do_not_convert_to_tracable_parameter(self) -> Any:
        return self.get("do_not_convert_to_tracable_parameter")

    @property
    def can_convert_to_tracable_parameter(self) -> Any:
        return self.get("can_convert_to_tracable_parameter")

    @property
    def TracableCreateParameter(self) -> Any:
        return self.get("TracableCreateParameter")


def _call_problem(name: str, function: Any) -> str | None:
    if name not in CONTRACT_CALLS or not callable(function):
        return None
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # a builtin without a signature: judged by calling it
        return None
    parameters = CONTRACT_CALLS[name][1]
    try:
        signature.bind(*(object() for _ in parameters))
    except TypeError as error:
        return f"{name}{signature} cannot be called as {name}({', '.join(parameters)}): {error}"
    return None
