"""The global state a property must leave as it found it.

Grad mode and the default dtype are restored after every property. A leak is
reported against the clause that forbids it, in the test that left it: grad
mode under C-5, the main thread's switch under S-3, a thread still running
under the test's own clauses. The implementation's own module state (a flag
kept in a module global, a list, a ``threading.local`` or a ``ContextVar``) is
then put back as it was when the session started (:class:`ModuleState`), so a
leak never changes what a later test sees: statuses do not depend on test order.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from conformance.implementation import PUBLIC_NAMES, Implementation
from conformance.violation import ClauseViolation

THREAD_GRACE_SECONDS = 1.0
"""How long a thread the test started may take to finish before it counts as leaked."""

_PLAIN = (bool, int, float, complex, str, bytes, type(None))
_CONTAINERS = (list, dict, set)


@dataclass(frozen=True)
class GlobalState:
    grad_enabled: bool
    inference_mode: bool
    default_dtype: torch.dtype
    switch: bool | None
    threads: frozenset[int] = field(default=frozenset(), compare=False)

    @classmethod
    def capture(cls, implementation: Implementation | None) -> GlobalState:
        switch = None
        if implementation is not None and implementation.has("can_convert_to_tracable_parameter"):
            if threading.current_thread() is threading.main_thread():
                switch = bool(implementation.raw("can_convert_to_tracable_parameter")())
        return cls(
            grad_enabled=torch.is_grad_enabled(),
            inference_mode=torch.is_inference_mode_enabled(),
            default_dtype=torch.get_default_dtype(),
            switch=switch,
            threads=frozenset(_running_threads()),
        )

    def restore(self) -> None:
        torch.set_grad_enabled(self.grad_enabled)
        torch.set_default_dtype(self.default_dtype)

    def differences(self, after: GlobalState) -> list[BaseException]:
        leaks: list[BaseException] = []
        if after.grad_enabled != self.grad_enabled:
            leaks.append(ClauseViolation(
                "C-5", f"grad mode {self.grad_enabled} after the test",
                f"grad mode {after.grad_enabled} (restored by the suite)",
            ))
        if after.switch != self.switch:
            leaks.append(ClauseViolation(
                "S-3", f"the switch to read {self.switch} after the test",
                f"{after.switch}: a context left this thread's switch changed",
            ))
        leaked_threads = _still_running(set(after.threads) - set(self.threads))
        if leaked_threads:
            leaks.append(RuntimeError(
                f"the test left {len(leaked_threads)} thread(s) running after "
                f"{THREAD_GRACE_SECONDS:g} s: {', '.join(sorted(leaked_threads))}"
            ))
        if after.inference_mode != self.inference_mode or after.default_dtype != self.default_dtype:
            leaks.append(RuntimeError(
                f"the test left torch's global state changed: inference mode "
                f"{self.inference_mode} -> {after.inference_mode}, default dtype "
                f"{self.default_dtype} -> {after.default_dtype}"
            ))
        return leaks


def _running_threads() -> dict[int, threading.Thread]:
    """Non-daemon threads: a daemon thread (the scheduler's, abandoned on a hang) never
    keeps the process alive, and its hang has already failed the test."""
    return {thread.ident: thread for thread in threading.enumerate()
            if not thread.daemon and thread.ident is not None}


def _still_running(idents: set[int]) -> list[str]:
    running = _running_threads()
    names = []
    for ident in idents:
        thread = running.get(ident)
        if thread is not None:
            thread.join(THREAD_GRACE_SECONDS)
            if thread.is_alive():
                names.append(thread.name)
    return names


def _namespaces(implementation: Implementation) -> Iterator[dict[str, Any]]:
    """The dictionaries an implementation's state can live in: the globals of the
    modules defining its public functions, and its namespace object's attributes."""
    seen: set[int] = set()
    candidates: list[Any] = [getattr(implementation.namespace, "__dict__", None)]
    for name in PUBLIC_NAMES:
        function = getattr(implementation.namespace, name, None)
        while function is not None:
            candidates.append(getattr(function, "__globals__", None))
            function = getattr(function, "__wrapped__", None)
    for namespace in candidates:
        if isinstance(namespace, dict) and id(namespace) not in seen:
            seen.add(id(namespace))
            yield namespace


@dataclass
class ModuleState:
    """The values an implementation's modules hold, to put back between tests.

    Plain values are rebound; lists, dicts and sets are refilled in place (a
    flag kept as ``_on = [True]``); a ``threading.local`` gets the calling
    thread's attributes back; a ``ContextVar`` its value. Modules, functions and
    classes are left alone.
    """

    entries: list[tuple[dict[str, Any], str, Any, Any]]

    @classmethod
    def capture(cls, implementation: Implementation) -> ModuleState:
        entries = []
        for namespace in _namespaces(implementation):
            for key, value in list(namespace.items()):
                if key.startswith("__"):  # __builtins__, __all__, ...: not state
                    continue
                saved = _save(value)
                if saved is not _SKIP:
                    entries.append((namespace, key, value, saved))
        return cls(entries)

    def restore(self) -> None:
        for namespace, key, value, saved in self.entries:
            if isinstance(value, _PLAIN):
                namespace[key] = value
            elif isinstance(value, _CONTAINERS):
                namespace[key] = value
                if not _same_items(value, saved):
                    value.clear()
                    if isinstance(value, list):
                        value.extend(saved)
                    else:
                        value.update(saved)
            elif isinstance(value, threading.local):
                namespace[key] = value
                value.__dict__.clear()
                value.__dict__.update(saved)
            elif isinstance(value, contextvars.ContextVar):
                namespace[key] = value
                if saved is not _UNSET:
                    value.set(saved)


_SKIP = object()
_UNSET = object()


def _save(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, _CONTAINERS):
        return type(value)(value)
    if isinstance(value, threading.local):
        return dict(value.__dict__)
    if isinstance(value, contextvars.ContextVar):
        return value.get(_UNSET)
    return _SKIP


def _same_items(value: Any, saved: Any) -> bool:
    """Compare by identity: items may be tensors, whose ``==`` is elementwise."""
    if len(value) != len(saved):
        return False
    if isinstance(value, dict):
        return all(key in saved and saved[key] is item for key, item in value.items())
    if isinstance(value, set):
        return {id(item) for item in value} == {id(item) for item in saved}
    return all(a is b for a, b in zip(value, saved, strict=True))
