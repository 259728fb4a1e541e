"""A rule-based state machine whose rule sequence is the interleaving (S-1 .. S-8).

Each rule runs one operation in one live worker thread; Hypothesis chooses
which rule and which thread, so the rule list is the schedule. Threads are
named by small integers taken modulo the live threads, so shrinking favours
the oldest thread and few switches.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from conformance.deadline import DEFAULT_SECONDS
from conformance.switch_model.session import Session, Switch

MAX_THREADS = 4
MAX_DEPTH = 4


def switch_machine(impl: Any, watchdog: float = DEFAULT_SECONDS) -> type[RuleBasedStateMachine]:
    """A state machine class checking ``impl``'s switch; run it with
    ``hypothesis.stateful.run_state_machine_as_test``."""
    switch = Switch.of(impl)  # resolved here: a missing name raises MissingApi now

    class SwitchMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.session = Session(switch, watchdog).__enter__()
            self.spawned = 0
            self.closed = False

        # -- helpers ----------------------------------------------------------
        def _live(self) -> list[str]:
            return [name for name, s in self.session.model.threads.items() if s.alive]

        def _pick(self, which: int, *, inside: bool = False) -> str | None:
            threads = self.session.model.threads
            live = [n for n in self._live() if not inside or threads[n].depth]
            return live[which % len(live)] if live else None

        def _next_thread_name(self) -> str:
            self.spawned += 1
            return f"T{self.spawned}"

        # -- rules ------------------------------------------------------------
        @precondition(lambda self: self.spawned < MAX_THREADS)
        @rule()
        def start_thread(self) -> None:
            self.session.add_thread(self._next_thread_name())

        @precondition(lambda self: self.spawned < MAX_THREADS and self._live())
        @rule(which=st.integers(0, MAX_THREADS - 1))
        def start_child(self, which: int) -> None:
            parent = self._pick(which)
            assert parent is not None
            self.session.start(parent, self._next_thread_name())

        @rule()
        def fresh_thread_reads(self) -> None:
            """A brand-new thread and the controller read True (S-1, S-6, S-8)."""
            self.session.check_clean("mid-run")

        @precondition(lambda self: self._live())
        @rule(which=st.integers(0, MAX_THREADS - 1))
        def read(self, which: int) -> None:
            name = self._pick(which)
            assert name is not None
            self.session.read(name)

        @precondition(lambda self: self._live())
        @rule(which=st.integers(0, MAX_THREADS - 1))
        def enter(self, which: int) -> None:
            name = self._pick(which)
            assert name is not None
            if self.session.model.threads[name].depth < MAX_DEPTH:
                self.session.enter(name)

        @precondition(lambda self: any(self.session.model.threads[n].depth for n in self._live()))
        @rule(which=st.integers(0, MAX_THREADS - 1), raising=st.booleans())
        def leave(self, which: int, raising: bool) -> None:
            name = self._pick(which, inside=True)
            assert name is not None
            self.session.exit(name, "raise" if raising else "exit")

        @precondition(lambda self: self._live())
        @rule(which=st.integers(0, MAX_THREADS - 1))
        def end(self, which: int) -> None:
            name = self._pick(which)
            assert name is not None
            self.session.end(name)

        def teardown(self) -> None:
            # After a failed step only release the threads; a clean run still
            # ends every thread and checks the clean state (S-8).
            if self.session.failed:
                self.session.conductor.close()
            else:
                self.session.__exit__(None, None, None)

    SwitchMachine.__name__ = SwitchMachine.__qualname__ = "SwitchMachine"
    return SwitchMachine
