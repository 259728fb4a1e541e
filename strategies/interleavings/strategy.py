"""The public Hypothesis strategy for interleavings (S-1 .. S-8).

Draws the whole program and the schedule up front from the test's own thread,
so a case is plain data that replays exactly and shrinks: operation lists
shrink by deleting operations (reads first), the schedule towards zeros, that
is towards as few context switches as possible.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

from strategies.interleavings.program import ENTER, EXIT, RAISE, READ, Interleaving, start_op
from strategies.reuse import integers, reused

_OPS = (READ, ENTER, EXIT, READ, RAISE, ENTER)


def _well_formed(raw: list[str], close: bool, raises: bool) -> list[str]:
    """Drop exits that have nothing to leave; optionally close what stays open."""
    ops: list[str] = []
    depth = 0
    for op in raw:
        if op == RAISE and not raises:
            op = EXIT
        if op in (EXIT, RAISE):
            if depth == 0:
                continue
            depth -= 1
        elif op == ENTER:
            depth += 1
        ops.append(op)
    if close:
        ops.extend([EXIT] * depth)
    return ops


@reused
@st.composite
def interleavings(
    draw: st.DrawFn,
    *,
    min_threads: int = 1,
    max_threads: int = 4,
    max_ops: int = 30,
    starts: bool = True,
    raises: bool = True,
    leaks: bool = True,
) -> Interleaving:
    """Programs of ``min_threads``..``max_threads`` threads and at most about
    ``max_ops`` operations, plus a schedule.

    ``starts``: threads may start later threads, possibly inside a context (S-7);
    ``raises``: contexts may be left by an exception (S-4); ``leaks``: a thread
    may end while still inside contexts (S-8).
    """
    count = draw(integers(min_threads, max_threads))
    budget = max(1, max_ops // count)
    program: list[list[str]] = []
    for _ in range(count):
        raw = draw(_op_lists(budget))
        close = not leaks or draw(_CLOSES)
        program.append(_well_formed(raw, close, raises))
    if starts:
        for child in range(1, count):
            parent = draw(_parents(child))
            if parent is not None:
                at = draw(integers(0, len(program[parent])))
                program[parent].insert(at, start_op(child))
    steps = sum(len(ops) + 1 for ops in program)
    schedule = draw(_schedules(count, steps))
    return Interleaving(program=tuple(tuple(ops) for ops in program), schedule=schedule)


# The inner strategies, built once per size rather than on every draw.
_CLOSES = st.booleans().map(lambda leak: not leak)


@functools.lru_cache(maxsize=64)
def _op_lists(budget: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(_OPS), max_size=budget)


@functools.lru_cache(maxsize=64)
def _parents(child: int) -> st.SearchStrategy[int | None]:
    return st.none() | st.integers(0, child - 1)


@functools.lru_cache(maxsize=256)
def _schedules(count: int, steps: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, max(count - 1, 0)), max_size=steps)
