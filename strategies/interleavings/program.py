"""What one drawn case is: per-thread operation lists plus a schedule (S-1 .. S-8).

Everything here is plain data, so a failing case prints as a literal that can be
pasted into ``@example(...)``. Operations are short strings:

``"enter"``   enter a new (possibly nested) context in this thread (S-2, S-5)
``"exit"``    leave the innermost open context normally (S-3, S-5)
``"raise"``   raise inside the innermost context and leave it by that exception (S-4)
``"read"``    call the reader (S-1, S-6, S-7, S-8)
``"start Tk"`` start thread ``Tk`` from this thread, possibly inside a context (S-7)

A thread whose list has more enters than exits ends while still inside those
contexts (S-8); the harness keeps the context-manager objects referenced, so
garbage collection cleans nothing up behind the implementation's back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

ENTER = "enter"
EXIT = "exit"
RAISE = "raise"
READ = "read"
START = "start T"

PLAIN_OPS = (READ, ENTER, EXIT, RAISE)


def thread_name(index: int) -> str:
    """Thread ``index`` (0-based, as in ``Interleaving.program``) is called ``T{index+1}``."""
    return f"T{index + 1}"


def start_op(child: int) -> str:
    """The operation that starts thread ``child`` (0-based)."""
    return f"{START}{child + 1}"


def started_thread(op: str) -> int | None:
    """The 0-based thread a ``"start Tk"`` operation starts, else None."""
    if op.startswith(START):
        return int(op[len(START):]) - 1
    return None


@dataclass(frozen=True)
class Interleaving:
    """A program (one operation list per thread) and a schedule of small ints.

    Schedule step ``i`` says which thread runs the next operation: 0 keeps the
    current thread, ``k`` switches to the k-th other runnable thread (modulo
    their number). Steps beyond the list are 0, so shrinking the list towards
    zeros minimises context switches. ``T1`` runs first; threads that no
    ``"start Tk"`` operation starts are started by the controller when first
    scheduled.
    """

    program: tuple[tuple[str, ...], ...]
    schedule: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "program", tuple(tuple(ops) for ops in self.program))
        object.__setattr__(self, "schedule", list(self.schedule))
        validate(self.program, self.schedule)

    @property
    def parents(self) -> dict[int, int]:
        """Child thread -> the thread whose ``"start Tk"`` operation starts it."""
        found: dict[int, int] = {}
        for parent, ops in enumerate(self.program):
            for op in ops:
                child = started_thread(op)
                if child is not None:
                    found[child] = parent
        return found

    @property
    def switches(self) -> int:
        """How many schedule entries ask for a context switch (non-zero)."""
        return sum(1 for choice in self.schedule if choice)

    def __repr__(self) -> str:
        return f"Interleaving(program={self.program!r}, schedule={self.schedule!r})"


def validate(program: Sequence[Sequence[str]], schedule: Sequence[int]) -> None:
    """Raise ``ValueError`` unless the program is well-formed.

    Well-formed: at least one thread, known operations only, no exit without a
    matching enter in the same thread, every started thread exists, is started
    once and by a lower-numbered thread (so starts form a forest), and schedule
    entries are non-negative.
    """
    if not program:
        raise ValueError("an interleaving needs at least one thread")
    started: set[int] = set()
    for index, ops in enumerate(program):
        depth = 0
        for op in ops:
            child = started_thread(op)
            if child is not None:
                if not index < child < len(program):
                    raise ValueError(f"{thread_name(index)} cannot start {op[6:]}")
                if child in started:
                    raise ValueError(f"{thread_name(child)} is started twice")
                started.add(child)
            elif op == ENTER:
                depth += 1
            elif op in (EXIT, RAISE):
                if depth == 0:
                    raise ValueError(f"{thread_name(index)}: {op!r} outside any context")
                depth -= 1
            elif op != READ:
                raise ValueError(f"{thread_name(index)}: unknown operation {op!r}")
    if any(choice < 0 for choice in schedule):
        raise ValueError("schedule entries must be >= 0")
