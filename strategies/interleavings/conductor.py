"""Real OS threads that run one operation at a time, handed a baton by the
test's own thread (the controller). Nothing here knows the contract.

Each worker owns a ``threading.Event``; the controller sets it with one command,
waits (bounded by the watchdog) for the shared ``done`` event, and only then
hands the baton on, so exactly one worker runs between two pause points. All
state lives on the :class:`Conductor` instance: several controllers may run in
parallel threads (pytest running tests from several threads at once).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

Command = Callable[["Worker"], Any]

IDLE_TIMEOUT = 60.0
"""A worker waiting this long for its baton assumes its controller is gone and ends."""


class Timeout(Exception):
    """The worker did not reach its next pause point in time. The scheduler's own signal,
    never raised past its caller: a checked run turns it into a hang of a clause
    (:class:`conformance.switch_model.StuckWorker`)."""


@dataclass(eq=False)
class Worker:
    """One OS thread plus its baton and the contexts it has open (LIFO)."""

    name: str
    conductor: Conductor
    go: threading.Event = field(default_factory=threading.Event)
    contexts: list[AbstractContextManager[Any]] = field(default_factory=list)
    command: Command | None = None
    value: Any = None
    error: BaseException | None = None
    finishing: bool = False
    stuck: bool = False
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(
            target=self._main, name=f"cp-interleaving-{self.name}", daemon=True
        )

    @property
    def started(self) -> bool:
        return self.thread.ident is not None

    def _main(self) -> None:
        conductor = self.conductor
        while self.go.wait(IDLE_TIMEOUT):
            self.go.clear()
            if conductor.aborted:
                return
            command, self.command = self.command, None
            try:
                self.value, self.error = (command(self) if command else None), None
            except BaseException as exc:  # handed to the controller, which re-raises it
                self.value, self.error = None, exc
            finishing = self.finishing
            if conductor.aborted:
                return
            conductor.done.set()
            if finishing:
                return


class Conductor:
    """Owns the workers of one run and passes the baton between them."""

    def __init__(self, watchdog: float = 2.0) -> None:
        self.watchdog = watchdog
        self.done = threading.Event()
        self.aborted = False
        self.workers: dict[str, Worker] = {}
        self.keep_alive: list[AbstractContextManager[Any]] = []

    def add(self, name: str) -> Worker:
        worker = Worker(name, self)
        self.workers[name] = worker
        return worker

    def run(self, worker: Worker, command: Command, *, finishing: bool = False) -> Any:
        """Run ``command`` in ``worker``'s thread and return its value.

        Raises :class:`Timeout` if the worker is not back within the watchdog
        bound; re-raises (as is) whatever the command raised.
        """
        self.done.clear()
        worker.command = command
        worker.finishing = finishing
        if not worker.started:
            worker.thread.start()
        worker.go.set()
        if not self.done.wait(self.watchdog):
            worker.stuck = True
            raise Timeout(worker.name)
        if finishing:
            worker.thread.join(self.watchdog)
            if worker.thread.is_alive():
                worker.stuck = True
                raise Timeout(worker.name)
        if worker.error is not None:
            error, worker.error = worker.error, None
            raise error
        return worker.value

    def close(self) -> None:
        """Release every worker, join each with a bound, then close the contexts
        that threads left open, in a throwaway thread (so that no finaliser runs
        later in some unrelated thread). Stuck workers are abandoned."""
        self.aborted = True
        for worker in self.workers.values():
            worker.go.set()
        for worker in self.workers.values():
            if worker.started and not worker.stuck:
                worker.thread.join(min(self.watchdog, 1.0))
        open_contexts = {
            id(context)
            for worker in self.workers.values()
            if not worker.stuck and not worker.thread.is_alive()
            for context in worker.contexts
        }
        # newest first across all threads, so even a shared flag unwinds in order
        leftovers = [c for c in reversed(self.keep_alive) if id(c) in open_contexts]
        if leftovers:
            sweeper = threading.Thread(
                target=_close_all, args=(leftovers,), name="cp-interleaving-sweeper", daemon=True
            )
            sweeper.start()
            sweeper.join(self.watchdog)
        self.keep_alive.clear()
        for worker in self.workers.values():
            worker.contexts.clear()


def _close_all(contexts: list[AbstractContextManager[Any]]) -> None:
    """Best-effort exit of abandoned contexts after the verdict; errors are moot here."""
    for context in contexts:
        try:
            type(context).__exit__(context, None, None, None)
        except Exception:
            pass


def read_in_fresh_thread(read: Callable[[], object], timeout: float) -> tuple[bool, object]:
    """Call ``read`` in a brand-new thread; ``(finished, value_or_exception)``."""
    return call_in_fresh_thread(read, timeout)


def call_in_fresh_thread(function: Callable[[], object], timeout: float) -> tuple[bool, object]:
    """Call ``function`` in a brand-new daemon thread joined for at most ``timeout``
    seconds; ``(finished, value_or_exception)``. A thread that does not finish
    is abandoned."""
    box: list[object] = []

    def probe() -> None:
        try:
            box.append(function())
        except BaseException as exc:  # carried back to the caller
            box.append(exc)

    thread = threading.Thread(target=probe, name="cp-interleaving-fresh", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive() or not box:
        return False, None
    return True, box[0]
