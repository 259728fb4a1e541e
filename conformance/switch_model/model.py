"""The contract as a model: what every read must return, and which clause a
mismatch breaks (S-1 .. S-8).

A thread reads False exactly while it is inside at least one context it
entered itself; everything else reads True. When a read disagrees, the model
names the most specific clause it can justify from the history so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ThreadState:
    """What the model knows about one thread."""

    depth: int = 0
    started_inside: bool = False
    ever_entered: bool = False
    alive: bool = True
    last_exit: str = ""
    inner_exit: bool = False
    outer_since: int = -1
    crowded_episode: bool = False


@dataclass
class SwitchModel:
    """Per-thread contract state plus the global history needed for blame."""

    threads: dict[str, ThreadState] = field(default_factory=dict)
    clock: int = 0
    last_activity: dict[str, int] = field(default_factory=dict)

    def add_thread(self, name: str, parent: str | None = None) -> None:
        inside = parent is not None and self.threads[parent].depth > 0
        self.threads[name] = ThreadState(started_inside=inside)

    def _touch(self, name: str) -> None:
        self.clock += 1
        self.last_activity[name] = self.clock

    def _others_active_since(self, name: str, since: int) -> bool:
        return any(t != name and at > since for t, at in self.last_activity.items())

    def enter(self, name: str) -> str:
        """Record an enter; return the clause an enter at this depth checks."""
        state = self.threads[name]
        clause = "S-5" if state.depth else "S-2"
        self._touch(name)
        if state.depth == 0:
            state.outer_since = self.clock
            state.inner_exit = False
            state.crowded_episode = False
        state.depth += 1
        state.ever_entered = True
        return clause

    def exit_clause(self, name: str, kind: str) -> str:
        """The clause a normal (``"exit"``) or raising exit at this depth checks."""
        if kind == "raise":
            return "S-4"
        return "S-5" if self.threads[name].depth > 1 else "S-3"

    def exit(self, name: str, kind: str) -> None:
        state = self.threads[name]
        if self._others_active_since(name, state.outer_since):
            state.crowded_episode = True
        self._touch(name)
        state.depth -= 1
        state.last_exit = kind
        if state.depth:
            state.inner_exit = True

    def end(self, name: str) -> None:
        self._touch(name)
        self.threads[name].alive = False

    def expected(self, name: str) -> bool:
        return self.threads[name].depth == 0

    def read_clause(self, name: str) -> str:
        """The clause a wrong read by ``name`` breaks, given the history."""
        state = self.threads[name]
        if state.depth:
            if self._others_active_since(name, state.outer_since):
                return "S-6"
            return "S-5" if state.inner_exit else "S-2"
        if state.started_inside and not state.ever_entered:
            return "S-7"
        others = [s for t, s in self.threads.items() if t != name]
        if any(s.alive and s.depth for s in others):
            return "S-6"
        if any(not s.alive and s.depth for s in others):
            return "S-8"
        if state.ever_entered:
            if state.crowded_episode:
                return "S-6"
            return "S-4" if state.last_exit == "raise" else "S-3"
        if any(s.ever_entered for s in others):
            return "S-6"
        return "S-1"

    def leak_clause(self) -> str:
        """The clause a thread that never entered breaks by reading False after the run."""
        if any(not s.alive and s.depth for s in self.threads.values()):
            return "S-8"
        if self.threads:
            return "S-6"
        return "S-1"

    def thread_read_clause(self, name: str) -> str:
        """Clause a read that never returns breaks (S-1 when the thread is outside)."""
        state = self.threads[name]
        return self.read_clause(name) if state.depth else ("S-7" if state.started_inside else "S-1")
