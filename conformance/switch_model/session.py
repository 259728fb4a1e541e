"""One checked run: workers driven by the controller, every outcome checked
against :class:`SwitchModel`, every step written to a timeline (S-1 .. S-8).

Both the drawn-schedule runner and the rule-based state machine drive a
:class:`Session`; only the controller thread calls its methods.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from conformance.deadline import DEFAULT_SECONDS
from conformance.switch_model.errors import (
    InterleavingViolation,
    PoisonedState,
    StuckWorker,
    WorkerCrashed,
)
from conformance.switch_model.model import SwitchModel
from strategies.interleavings.conductor import Conductor, Timeout, Worker, read_in_fresh_thread


@dataclass(frozen=True)
class Switch:
    """The two switch callables under test, resolved in the controller thread
    (so a missing name raises ``MissingApi`` there, never in a worker)."""

    context: Callable[[], AbstractContextManager[Any]]
    read: Callable[[], object]

    @classmethod
    def of(cls, impl: Any) -> Switch:
        """From an ``Implementation`` (or any object with the two public names)."""
        context = impl.do_not_convert_to_tracable_parameter
        return cls(context, impl.can_convert_to_tracable_parameter)


class RaisedInside(Exception):
    """The exception a ``"raise"`` operation raises inside the block (S-4)."""


def _enter(switch: Switch, conductor: Conductor) -> Callable[[Worker], object]:
    def command(worker: Worker) -> object:
        context = switch.context()
        conductor.keep_alive.append(context)
        value = type(context).__enter__(context)
        worker.contexts.append(context)
        return value

    return command


def _exit(worker: Worker) -> object:
    context = worker.contexts.pop()
    return type(context).__exit__(context, None, None, None)


def _raise(worker: Worker) -> tuple[str, BaseException | None]:
    """Leave the innermost context by an exception, exactly as a ``with`` does."""
    context = worker.contexts.pop()
    marker = RaisedInside(f"raised inside {worker.name}'s context")
    try:
        try:
            raise marker
        except RaisedInside:
            if not type(context).__exit__(context, *sys.exc_info()):
                raise
        return "suppressed", None
    except BaseException as out:  # compared with the marker, then reported
        if out is marker:
            return "propagated", None
        return "replaced", out


class Session:
    """Workers, model and timeline for one example. Use as a context manager:
    leaving it releases every worker and checks the clean state (S-8)."""

    def __init__(
        self, switch: Switch, watchdog: float = DEFAULT_SECONDS, replay: str = ""
    ) -> None:
        self.switch = switch
        self.conductor = Conductor(watchdog)
        self.model = SwitchModel()
        self.timeline: list[str] = []
        self.replay = replay
        self.failed = False

    # -- failures -------------------------------------------------------------
    def fail(self, clause: str, expected: str, actual: str, line: str) -> InterleavingViolation:
        self.failed = True
        self.timeline.append(f"{line} ✗ expected {expected}")
        return InterleavingViolation(clause, expected, actual, self.timeline, self.replay)

    def _call(
        self, name: str, label: str, clause: str, command: Any, finishing: bool = False
    ) -> Any:
        worker = self.conductor.workers[name]
        self.failed = True  # cleared below once the command came back
        try:
            value = self.conductor.run(worker, command, finishing=finishing)
        except Timeout:
            self.timeline.append(f"{name} {label} … no pause point within "
                                 f"{self.conductor.watchdog:g}s ✗")
            raise StuckWorker(
                clause, f"{name} {label} to finish within {self.conductor.watchdog:g}s",
                f"{name} stuck in {label!r} (thread abandoned)", self.timeline, self.replay,
            ) from None
        except Exception as exc:
            self.timeline.append(f"{name} {label} raised {exc!r} ✗")
            raise WorkerCrashed(
                clause, f"{name} {label} to complete without raising",
                f"{type(exc).__name__}: {exc}", self.timeline, self.replay,
            ) from exc
        except BaseException as exc:  # skips and interrupts travel on unchanged
            self.timeline.append(f"{name} {label} raised {exc!r} ✗")
            if hasattr(exc, "add_note"):
                exc.add_note("interleaving timeline:\n" + "\n".join(self.timeline))
            raise
        self.failed = False
        return value

    # -- operations -----------------------------------------------------------
    def add_thread(self, name: str, parent: str | None = None) -> None:
        self.conductor.add(name)
        self.model.add_thread(name, parent)

    def start(self, parent: str, child: str) -> None:
        """``parent`` starts ``child`` (S-7 when ``parent`` is inside a context)."""
        depth = self.model.threads[parent].depth
        self.add_thread(child, parent)
        worker = self.conductor.workers[child]
        self._call(parent, f"start {child}", "S-7", lambda _: worker.thread.start())
        where = f" inside {depth} context(s)" if depth else ""
        self.timeline.append(f"{parent} start {child}{where}")

    def enter(self, name: str) -> None:
        clause = self.model.enter(name)
        value = self._call(name, "enter", clause, _enter(self.switch, self.conductor))
        line = f"{name} enter → yielded {value!r}"
        if value is not False:
            raise self.fail(clause, "yielded False", f"{name}'s context yielded {value!r}", line)
        self.timeline.append(line)

    def exit(self, name: str, kind: str = "exit") -> None:
        """Leave the innermost context normally (``"exit"``) or by raising (``"raise"``)."""
        clause = self.model.exit_clause(name, kind)
        if kind == "exit":
            self._call(name, "exit", clause, _exit)
            self.timeline.append(f"{name} exit")
        else:
            outcome, other = self._call(name, "raise", clause, _raise)
            line = f"{name} raise → {outcome}"
            if outcome != "propagated":
                actual = f"the exception was {outcome}" + (f" by {other!r}" if other else "")
                raise self.fail("S-4", "the same exception object to propagate", actual, line)
            self.timeline.append(line)
        self.model.exit(name, kind)

    def read(self, name: str) -> None:
        expected = self.model.expected(name)
        clause = self.model.thread_read_clause(name)
        value = self._call(name, "read", clause, lambda _: self.switch.read())
        line = f"{name} read={value!r}"
        if value is not expected:
            clause = self.model.read_clause(name) if isinstance(value, bool) else "A-4"
            raise self.fail(clause, repr(expected), f"{name} read {value!r}", line)
        self.timeline.append(line)

    def end(self, name: str) -> None:
        """``name`` returns from its thread function, possibly inside contexts (S-8)."""
        depth = self.model.threads[name].depth
        self._call(name, "end", "S-8", lambda _: None, finishing=True)
        self.model.end(name)
        self.timeline.append(f"{name} ends" + (f" inside {depth} context(s)" if depth else ""))

    # -- clean state ----------------------------------------------------------
    def check_clean(self, when: str, clause: str | None = None) -> None:
        """A brand-new thread and the controller must both read True (S-1, S-8)."""
        blame = clause or self.model.leak_clause()
        finished, value = read_in_fresh_thread(self.switch.read, self.conductor.watchdog)
        line = f"{when}: fresh thread read={value!r}"
        if not finished:
            raise self.fail(blame, "True", "a fresh thread's read did not return", line)
        if isinstance(value, BaseException):
            raise self.fail(blame, "True", f"a fresh thread's read raised {value!r}", line)
        if value is not True:
            raise self.fail(blame, "True", f"a fresh thread read {value!r} ({when})", line)
        value = self.switch.read()
        line = f"{when}: controller read={value!r}"
        if value is not True:
            raise self.fail(blame, "True", f"the controller thread read {value!r} ({when})", line)

    def __enter__(self) -> Session:
        try:
            self.check_clean("before the first step", clause="S-8")
        except InterleavingViolation as dirty:
            raise PoisonedState(
                "S-8", "True before the first step", dirty.actual, self.timeline, self.replay
            ) from None
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        try:
            live = [w for w in self.conductor.workers.values() if w.started and not w.stuck]
            if kind is None:
                for worker in live:
                    if worker.thread.is_alive():
                        self.end(worker.name)
                self.check_clean("after the last step")
        finally:
            self.conductor.close()
