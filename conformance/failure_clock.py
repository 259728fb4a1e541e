"""Examples- and seconds-to-first-failure of one test call (``cpconf mutants``, ``fuzz``).

:meth:`FailureClock.wrap` wraps the function Hypothesis calls once per example
(a ``@given`` test's ``hypothesis.inner_test``, the documented hook for
wrapping it), counts every example executed, and remembers the count and the
seconds since the clock started when an example first raises anything but
Hypothesis's own control flow or a skip. Shrinking runs after that point and
is not counted. :mod:`conformance.killclock` starts a clock per test call, the fuzz
runner one per property (:mod:`conformance.fuzzing.hypothesis_patches`).

(Hypothesis's observability callbacks would give the same counts, but made
the run two to six times slower.)
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis.errors import UnsatisfiedAssumption

_NOT_FAILURES: tuple[type[BaseException], ...] = (
    UnsatisfiedAssumption, pytest.skip.Exception, KeyboardInterrupt,
)


class FailureClock:
    """Counters for the current call of one test."""

    def __init__(self) -> None:
        self.examples = 0
        self.first_failure: tuple[int, float] | None = None
        self.started = time.perf_counter()

    def wrap(self, test: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(test)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.examples += 1
            try:
                return test(*args, **kwargs)
            except BaseException as error:
                if self.first_failure is None and is_failure(error):
                    self.first_failure = (self.examples, time.perf_counter() - self.started)
                raise

        return counted


def is_failure(error: BaseException) -> bool:
    """Whether ``error`` ends an example as a failure: anything but Hypothesis's own control
    flow, a rejected example or a skip (a hang, a BaseException, is a failure)."""
    if isinstance(error, _NOT_FAILURES):
        return False
    # Hypothesis stops an example that ran out of data with its own StopTest.
    return type(error).__name__ != "StopTest"
