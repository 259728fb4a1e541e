"""What a fuzz run changes on a Hypothesis test and engine, and gives back after.

:func:`instrumented` wraps the test's ``hypothesis.inner_test`` to count the
test body's calls (:class:`Calls`: a :class:`~conformance.failure_clock.FailureClock`,
the one that times ``cpconf mutants``'s kills, counts them and the first failing one, a
failure replayed from the database being example 1; and the stored examples the database
offered before the first call, ``replayed``), bounds each example by one timer
when examples check batches of cases (``--cp-batch``), and keys the example
database per implementation (``--cp-db``, see :mod:`conformance.database`), so
a matrix does not thrash it. It restores the settings, seed and key attributes
the runs set on the test. :func:`bounded_shrinking` caps Hypothesis's
shrinking time. The private Hypothesis names used here are pinned in
:mod:`conformance.hypothesis_internals`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from hypothesis.internal.conjecture import engine
from hypothesis.internal.reflection import function_digest

from conformance.deadline import example_deadline
from conformance.failure_clock import FailureClock
from conformance.implementation import Implementation

_SETTINGS_ATTRS = (
    "_hypothesis_internal_use_settings",
    "_hypothesis_internal_use_seed",
    "_hypothesis_internal_database_key",
)
_MISSING = object()


@dataclass
class Calls:
    """Calls of one property's test body: a :class:`FailureClock` counts them and times the
    first failing one; ``replayed`` is what the database offered before the first."""

    clock: FailureClock = field(default_factory=FailureClock)
    probe: Callable[[], int] | None = None  # stored examples fetched so far
    replayed: int = 0


@contextmanager
def bounded_shrinking(seconds: int) -> Iterator[None]:
    """Cap the time Hypothesis spends shrinking one failure (an engine constant; left as
    it is where a Hypothesis version lacks it). The result is still a failing example,
    only perhaps not the smallest."""
    previous = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if previous is None:
        yield
        return
    engine.MAX_SHRINKING_SECONDS = min(previous, seconds)
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = previous


@contextmanager
def instrumented(function: Any, implementation: Implementation, batch: int, name: str,
                 database: bool) -> Iterator[Calls]:
    """Count the test body's calls, bound each example by one timer, key the database."""
    handle = function.hypothesis
    inner = handle.inner_test
    saved = {attr: function.__dict__.get(attr, _MISSING) for attr in _SETTINGS_ATTRS}
    calls = Calls()
    bound: Callable[[], Any] = (
        functools.partial(example_deadline, implementation.deadline, f"an example of {name}")
        if batch > 1 else nullcontext
    )

    @functools.wraps(inner)
    def bounded_inner(*args: Any, **kwargs: Any) -> Any:
        if calls.clock.examples == 1 and calls.probe is not None:
            calls.replayed = calls.probe()
        with bound():
            return inner(*args, **kwargs)

    if database:
        # A forced seed (the suite's, for xdist) makes Hypothesis skip the database;
        # an explicit key brings it back, one per implementation.
        function._hypothesis_internal_database_key = (
            function_digest(inner) + b"/" + implementation.id.encode()
        )
    handle.inner_test = calls.clock.wrap(bounded_inner)
    try:
        yield calls
    finally:
        handle.inner_test = inner
        for attr, value in saved.items():
            if value is _MISSING:
                function.__dict__.pop(attr, None)
            else:
                setattr(function, attr, value)
