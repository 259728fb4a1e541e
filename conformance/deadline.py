"""Bound every call into an implementation, so a hang fails instead of freezing.

In the main thread each guarded call arms a one-shot ``SIGALRM`` timer; if
the call has not returned when it fires, :class:`ImplementationHang` is raised
inside it. It is a ``BaseException`` so Hypothesis does not try to shrink by
calling the hanging code again and again. Calls from other threads run
unguarded: the thread scheduler has its own watchdog.
"""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

DEFAULT_SECONDS = 30.0


class ImplementationHang(BaseException):
    """An implementation call did not return within its deadline."""


def _can_arm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def call_with_deadline(
    seconds: float, what: str, function: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """Call ``function``; raise :class:`ImplementationHang` after ``seconds``."""
    if seconds <= 0 or not _can_arm():
        return function(*args, **kwargs)

    def expire(signum: int, frame: FrameType | None) -> None:
        where = ""
        if frame is not None:
            code = frame.f_code
            where = f" (stuck in {code.co_name} at {code.co_filename}:{frame.f_lineno})"
        raise ImplementationHang(f"{what} did not return within {seconds:g} s{where}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _GuardedContext:
    """A context manager whose ``__enter__`` and ``__exit__`` are both bounded."""

    def __init__(self, inner: Any, what: str, seconds: float) -> None:
        self._inner = inner
        self._what = what
        self._seconds = seconds

    def __enter__(self) -> Any:
        return call_with_deadline(
            self._seconds, f"{self._what}.__enter__()", self._inner.__enter__
        )

    def __exit__(self, *exc_info: Any) -> Any:
        return call_with_deadline(
            self._seconds, f"{self._what}.__exit__()", self._inner.__exit__, *exc_info
        )


def guard(function: Callable[..., Any], name: str, seconds: float) -> Callable[..., Any]:
    """Wrap ``function`` so each call (and any context manager it returns) is bounded."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        result = call_with_deadline(seconds, f"{name}()", function, *args, **kwargs)
        if hasattr(result, "__enter__") and hasattr(result, "__exit__"):
            return _GuardedContext(result, f"{name}()", seconds)
        return result

    return guarded
