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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

DEFAULT_SECONDS = 30.0

# Set while one timer bounds a whole Hypothesis example (see :func:`example_deadline`):
# the per-call guards inside it then cost nothing.
_outer = threading.local()


class ImplementationHang(BaseException):
    """An implementation call did not return within its deadline."""


def _where(frame: FrameType | None) -> str:
    if frame is None:
        return ""
    return f" (stuck in {frame.f_code.co_name} at {frame.f_code.co_filename}:{frame.f_lineno})"


def _can_arm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def call_with_deadline(
    seconds: float, what: str, function: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """Call ``function``; raise :class:`ImplementationHang` after ``seconds``."""
    if seconds <= 0 or getattr(_outer, "armed", False) or not _can_arm():
        return function(*args, **kwargs)

    def expire(signum: int, frame: FrameType | None) -> None:
        raise ImplementationHang(f"{what} did not return within {seconds:g} s{_where(frame)}")

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

    def _on_type(self, name: str) -> Any:
        """Look the method up on the type, as a ``with`` statement does (A-3)."""
        method = getattr(type(self._inner), name, None)
        if method is None:
            raise TypeError(f"{type(self._inner).__name__!r} object does not support the "
                            f"context manager protocol (its type has no {name})")
        return functools.partial(method, self._inner)

    def __enter__(self) -> Any:
        return call_with_deadline(
            self._seconds, f"{self._what}.__enter__()", self._on_type("__enter__")
        )

    def __exit__(self, *exc_info: Any) -> Any:
        return call_with_deadline(
            self._seconds, f"{self._what}.__exit__()", self._on_type("__exit__"), *exc_info
        )


@contextmanager
def example_deadline(seconds: float, what: str) -> Iterator[None]:
    """Bound a whole block (one Hypothesis example checking a batch) by one timer.

    Arming ``SIGALRM`` costs a few microseconds per call; with many cases per
    example, one timer per example keeps hangs failing for a fraction of that.
    Guarded calls inside the block run unarmed. Outside the main thread, or
    nested in another such block, it only runs the block.
    """
    if seconds <= 0 or getattr(_outer, "armed", False) or not _can_arm():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise ImplementationHang(f"{what} did not return within {seconds:g} s{_where(frame)}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _outer.armed = True
    try:
        yield
    finally:
        _outer.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_GUARDS: dict[tuple[Any, str, float], Callable[..., Any]] = {}


def guard(function: Callable[..., Any], name: str, seconds: float) -> Callable[..., Any]:
    """Wrap ``function`` so each call (and any context manager it returns) is bounded."""

    key = (function, name, seconds)
    try:
        return _GUARDS[key]
    except (KeyError, TypeError):
        pass

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        result = call_with_deadline(seconds, f"{name}()", function, *args, **kwargs)
        if hasattr(result, "__enter__") and hasattr(result, "__exit__"):
            return _GuardedContext(result, f"{name}()", seconds)
        return result

    try:
        _GUARDS[key] = guarded
    except TypeError:  # an unhashable callable: wrap it afresh each time
        pass
    return guarded
