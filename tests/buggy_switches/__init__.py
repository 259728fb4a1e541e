"""Deliberately broken switch implementations the harness must catch.

Each factory returns a fresh namespace, so the state of one test's broken
switch never leaks into another test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace


def global_flag() -> SimpleNamespace:
    """Bug 1: one flag shared by every thread (breaks S-6, S-8)."""
    state = {"enabled": True}

    @contextmanager
    def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
        previous = state["enabled"]
        state["enabled"] = False
        try:
            yield False
        finally:
            state["enabled"] = previous

    return SimpleNamespace(
        do_not_convert_to_tracable_parameter=do_not_convert_to_tracable_parameter,
        can_convert_to_tracable_parameter=lambda: state["enabled"],
    )


def restore_true() -> SimpleNamespace:
    """Bug 2: exit restores True instead of the previous value (breaks S-5)."""
    local = threading.local()

    @contextmanager
    def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
        local.enabled = False
        try:
            yield False
        finally:
            local.enabled = True

    return SimpleNamespace(
        do_not_convert_to_tracable_parameter=do_not_convert_to_tracable_parameter,
        can_convert_to_tracable_parameter=lambda: getattr(local, "enabled", True),
    )


def no_finally() -> SimpleNamespace:
    """Bug 3: restores only on normal exit, not when the block raises (breaks S-4)."""
    local = threading.local()

    @contextmanager
    def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
        previous = getattr(local, "enabled", True)
        local.enabled = False
        yield False
        local.enabled = previous

    return SimpleNamespace(
        do_not_convert_to_tracable_parameter=do_not_convert_to_tracable_parameter,
        can_convert_to_tracable_parameter=lambda: getattr(local, "enabled", True),
    )


def deadlock() -> tuple[SimpleNamespace, threading.Lock]:
    """Entering blocks forever on a lock nobody releases (the watchdog must fire).

    Returns the namespace and the lock, so a test can free the abandoned thread.
    """
    lock = threading.Lock()
    lock.acquire()

    @contextmanager
    def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
        lock.acquire()
        try:
            yield False
        finally:
            lock.release()

    return (
        SimpleNamespace(
            do_not_convert_to_tracable_parameter=do_not_convert_to_tracable_parameter,
            can_convert_to_tracable_parameter=lambda: True,
        ),
        lock,
    )


def crashing_reader() -> SimpleNamespace:
    """The reader raises an unexpected exception in whatever thread calls it."""

    def can_convert_to_tracable_parameter() -> bool:
        if threading.current_thread() is not threading.main_thread() and (
            threading.current_thread().name.startswith("cp-interleaving-T")
        ):
            raise RuntimeError("reader exploded in a worker")
        return True

    reader: Callable[[], bool] = can_convert_to_tracable_parameter

    @contextmanager
    def do_not_convert_to_tracable_parameter() -> Iterator[bool]:
        yield False

    return SimpleNamespace(
        do_not_convert_to_tracable_parameter=do_not_convert_to_tracable_parameter,
        can_convert_to_tracable_parameter=reader,
    )
