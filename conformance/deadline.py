"""Bound every call into an implementation, so a hang fails instead of freezing.

In the main thread each guarded call arms a one-shot ``SIGALRM`` timer; if
the call has not returned when it fires, :class:`ImplementationHang` is raised
inside it. It is a ``BaseException`` so Hypothesis does not try to shrink by
calling the hanging code again and again. Calls from other threads run
unguarded: the thread scheduler has its own watchdog.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
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


@contextmanager
def _alarm(seconds: float, what: str | Callable[[], str]) -> Iterator[None]:
    """Raise :class:`ImplementationHang` in the block after ``seconds``.

    An interval timer armed before (pytest-timeout's signal method, say) is
    put back afterwards with the time it had left, and its handler with it.
    ``what`` may be a callable, so the description of a call is only built
    when it hangs.
    """
    def expire(signum: int, frame: FrameType | None) -> None:
        described = what() if callable(what) else what
        raise ImplementationHang(f"{described} did not return within {seconds:g} s"
                                 f"{_where(frame)}")

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:
            left = outer_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), outer_interval)


def call_with_deadline(
    seconds: float, what: str | Callable[[], str], function: Callable[..., Any], *args: Any,
    **kwargs: Any,
) -> Any:
    """Call ``function``; raise :class:`ImplementationHang` after ``seconds``."""
    if seconds <= 0 or getattr(_outer, "armed", False) or not _can_arm():
        return function(*args, **kwargs)
    if _journal.fd is None:
        with _alarm(seconds, what):
            return function(*args, **kwargs)
    _journal.write(what() if callable(what) else what)
    try:
        with _alarm(seconds, what):
            return function(*args, **kwargs)
    finally:  # returned or raised, the process is no longer inside the call
        _journal.write("")


class _Journal:
    """The call in progress, kept in a file a crash cannot erase: if the process dies
    inside a bounded call (a segfault), whoever reads the file learns which call, with
    which arguments. Empty between calls. Off unless :func:`journal_calls_to` is given
    a path (the suite turns it on in its xdist workers)."""

    fd: int | None = None

    def open(self, path: str | None) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if path is not None:
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)

    def write(self, text: str) -> None:
        assert self.fd is not None
        data = text.encode()
        os.pwrite(self.fd, data, 0)
        os.ftruncate(self.fd, len(data))


_journal = _Journal()


def journal_calls_to(path: str | None) -> None:
    """Record each bounded call before it starts, in ``path`` (None: stop recording)."""
    _journal.open(path)


def read_journal(path: str) -> str:
    """The call a process was inside when it died, or "" (none, or no journal)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return stream.read().strip()
    except OSError:
        return ""


def describe_call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """``name(arg, key=arg)`` with tensors as their metadata: printing a placeholder's
    values reads storage it does not have."""
    words = [describe_value(arg) for arg in args]
    words += [f"{key}={describe_value(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(words)})"


def describe_value(value: Any) -> str:
    # Duck-typed: this module is imported by the plugin in runs that never load torch.
    if all(hasattr(value, name) for name in ("shape", "dtype", "device", "stride")):
        return (f"{type(value).__name__}(size={tuple(value.shape)}, dtype={value.dtype}, "
                f"device={value.device}, stride={value.stride()}, "
                f"offset={value.storage_offset()}, requires_grad={value.requires_grad})")
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe_value(item) for item in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) \
            else f"[{inner}]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
    with _alarm(seconds, what):
        _outer.armed = True
        try:
            yield
        finally:
            _outer.armed = False


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
        if getattr(_outer, "armed", False):  # one timer bounds the whole example already
            result = function(*args, **kwargs)
        else:
            result = call_with_deadline(seconds, lambda: describe_call(name, args, kwargs),
                                        function, *args, **kwargs)
        if hasattr(result, "__enter__") and hasattr(result, "__exit__"):
            return _GuardedContext(result, f"{name}()", seconds)
        return result

    try:
        _GUARDS[key] = guarded
    except TypeError:  # an unhashable callable: wrap it afresh each time
        pass
    return guarded
