"""Replay one :class:`Interleaving` on real threads and check every step (S-1 .. S-8)."""

from __future__ import annotations

from typing import Any

from conformance.deadline import DEFAULT_SECONDS
from conformance.switch_model.session import Session, Switch
from strategies.interleavings.program import (
    ENTER,
    EXIT,
    RAISE,
    READ,
    Interleaving,
    started_thread,
    thread_name,
)


def pick(current: int, runnable: list[int], choice: int, count: int) -> int:
    """Apply one schedule entry: 0 keeps ``current`` when it can run, ``k``
    switches to the k-th other runnable thread (cyclic order after ``current``,
    modulo their number). A finished ``current`` hands on to the next one."""
    others = sorted((t for t in runnable if t != current), key=lambda t: (t - current) % count)
    if current in runnable:
        if choice == 0 or not others:
            return current
        return others[(choice - 1) % len(others)]
    return others[choice % len(others)]


def run_interleaving(
    impl: Any, case: Interleaving, *, watchdog: float = DEFAULT_SECONDS
) -> list[str]:
    """Run ``case`` against ``impl`` (an Implementation or a :class:`Switch`).

    Returns the timeline; raises an ``InterleavingViolation`` (a ClauseViolation)
    naming the broken clause, with the timeline and a replay literal.
    """
    switch = impl if isinstance(impl, Switch) else Switch.of(impl)
    program = case.program
    count = len(program)
    names = [thread_name(index) for index in range(count)]
    parents = case.parents
    position = [0] * count
    started = [index not in parents for index in range(count)]
    finished = [False] * count
    current, step = 0, 0
    with Session(switch, watchdog, replay=repr(case)) as session:
        for index in range(count):
            if index not in parents:
                session.add_thread(names[index])
        while True:
            runnable = [t for t in range(count) if started[t] and not finished[t]]
            if not runnable:
                break
            choice = case.schedule[step] if step < len(case.schedule) else 0
            current = pick(current, runnable, choice, count)
            step += 1
            name, ops = names[current], program[current]
            if position[current] == len(ops):
                session.end(name)
                finished[current] = True
                continue
            op = ops[position[current]]
            position[current] += 1
            child = started_thread(op)
            if child is not None:
                session.start(name, names[child])
                started[child] = True
            elif op == READ:
                session.read(name)
            elif op == ENTER:
                session.enter(name)
            elif op in (EXIT, RAISE):
                session.exit(name, op)
        return session.timeline
