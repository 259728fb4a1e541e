"""Properties of the per-thread switch, clauses S-1 .. S-8 (and the S-9 probe).

Single-thread properties use real ``with`` statements, each example in a fresh
thread (so a broken implementation cannot poison the test's own thread); the
multi-thread properties replay drawn interleavings on real threads. Every
failure is a ClauseViolation; a missing public name raises MissingApi.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from conformance.implementation import Implementation
from conformance.switch_model import describe_async_behaviour, run_interleaving, switch_machine
from conformance.violation import ClauseHang, ClauseViolation, check
from strategies.interleavings import Interleaving, call_in_fresh_thread, interleavings

STATE_MACHINE_MAX_EXAMPLES = 100


class _RaisedInside(Exception):
    """Raised inside the block by the S-4 property."""


def _in_fresh_thread(cp_impl: Implementation, body: Callable[[], object], clause: str) -> None:
    """Run ``body`` in a new thread, bounded by the implementation's deadline
    (``--cp-deadline``); re-raise its ClauseViolation here."""
    finished, outcome = call_in_fresh_thread(body, cp_impl.deadline)
    if not finished:
        raise ClauseHang(clause, f"the block to finish within {cp_impl.deadline:g} s",
                         "it hung (thread abandoned)")
    if isinstance(outcome, BaseException):
        raise outcome


@pytest.mark.clause("S-1")
@settings(deadline=None)
@given(threads=st.integers(1, 4))
def test_default_on(cp_impl: Implementation, threads: int) -> None:
    """S-1: every thread that never entered reads True."""
    read = cp_impl.can_convert_to_tracable_parameter
    for _ in range(threads):
        _in_fresh_thread(
            cp_impl, lambda: check(read() is True, "S-1", "True", lambda: repr(read())), "S-1"
        )


@pytest.mark.clause("S-2", "S-3")
@settings(deadline=None)
@given(rounds=st.integers(1, 4))
def test_yields_false_and_restores(cp_impl: Implementation, rounds: int) -> None:
    """S-2: the context yields False and reads False inside; S-3: True after."""
    context = cp_impl.do_not_convert_to_tracable_parameter
    read = cp_impl.can_convert_to_tracable_parameter

    def body() -> None:
        for _ in range(rounds):
            with context() as value:
                check(value is False, "S-2", "the context to yield False", repr(value))
                inside = read()
                check(inside is False, "S-2", "False inside", repr(inside))
            after = read()
            check(after is True, "S-3", "True after a normal exit", repr(after))

    _in_fresh_thread(cp_impl, body, "S-3")


@pytest.mark.clause("S-4", "S-5")
@settings(deadline=None)
@given(data=st.data())
def test_exception_restores_and_propagates(cp_impl: Implementation, data: st.DataObject) -> None:
    """S-4: raising out of ``depth`` nested contexts, caught just outside level
    ``catch``, restores the value before that level; the same object arrives."""
    depth = data.draw(st.integers(1, 4), label="depth")
    catch = data.draw(st.integers(1, depth), label="catch")
    context = cp_impl.do_not_convert_to_tracable_parameter
    read = cp_impl.can_convert_to_tracable_parameter
    marker = _RaisedInside("raised at the innermost level")

    def level(open_count: int) -> None:
        if open_count == depth:
            raise marker
        if open_count + 1 != catch:
            with context() as value:
                check(value is False, "S-5", "nested contexts to yield False", repr(value))
                level(open_count + 1)
            return
        try:
            with context():
                level(open_count + 1)
        except _RaisedInside as caught:
            check(caught is marker, "S-4", "the same exception object", repr(caught))
            now = read()
            check(now is (open_count == 0), "S-4", repr(open_count == 0), repr(now))
        else:
            raise ClauseViolation("S-4", "the exception to propagate", "it was suppressed")

    def body() -> None:
        level(0)
        final = read()
        check(final is True, "S-4", "True once every context is left", repr(final))

    _in_fresh_thread(cp_impl, body, "S-4")


_BRACKETS = st.lists(st.sampled_from(("read", "enter", "exit")), max_size=24)


@pytest.mark.clause("S-5")
@settings(deadline=None)
@given(ops=_BRACKETS)
def test_nesting(cp_impl: Implementation, ops: Sequence[str]) -> None:
    """S-5: with real nested ``with`` blocks, every read is False exactly while
    at least one is open, and each exit restores the level's own previous value."""
    context = cp_impl.do_not_convert_to_tracable_parameter
    read = cp_impl.can_convert_to_tracable_parameter

    def run(at: int, depth: int) -> int:
        while at < len(ops):
            op = ops[at]
            at += 1
            if op == "exit":
                if depth:
                    return at
            elif op == "read":
                value = read()
                clause = "S-5" if depth > 1 else ("S-2" if depth else "S-3")
                check(value is (depth == 0), clause, repr(depth == 0), repr(value))
            else:
                with context() as value:
                    check(value is False, "S-5", "nested contexts to yield False", repr(value))
                    at = run(at, depth + 1)
                after = read()
                clause = "S-5" if depth else "S-3"
                check(after is (depth == 0), clause, repr(depth == 0), f"{after!r} after exit")
        return at

    _in_fresh_thread(cp_impl, lambda: run(0, 0), "S-5")


_ALL_S = ("S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8")


@pytest.mark.clause(*_ALL_S)
@settings(deadline=None)
@given(case=interleavings(max_threads=4, max_ops=30))
def test_interleavings(cp_impl: Implementation, case: Interleaving) -> None:
    """S-1 .. S-8: any schedule of 1-4 threads matches the model at every read."""
    run_interleaving(cp_impl, case, watchdog=cp_impl.deadline)


@pytest.mark.clause("S-6")
@settings(deadline=None)
@given(case=interleavings(min_threads=2, max_threads=4, starts=False, leaks=False))
def test_isolated_per_thread(cp_impl: Implementation, case: Interleaving) -> None:
    """S-6: live threads entering and leaving never change another's read."""
    run_interleaving(cp_impl, case, watchdog=cp_impl.deadline)


@pytest.mark.clause("S-7")
@settings(deadline=None)
@given(
    case=interleavings(min_threads=2, max_threads=3).filter(
        lambda case: bool(case.parents)
    )
)
def test_children_start_on(cp_impl: Implementation, case: Interleaving) -> None:
    """S-7: a thread started from inside a context reads True until it enters."""
    run_interleaving(cp_impl, case, watchdog=cp_impl.deadline)


START_PATTERNS: tuple[str, ...] = (
    "inside one context",
    "inside two nested contexts",
    "from a worker inside its context",
    "inside a context, read after the parent left it",
    "after the parent left its context",
)
"""Where a new thread is started, relative to its parent's contexts (the S-7 sweep)."""


def _child_reads(cp_impl: Implementation, pattern: str) -> object:
    """Start a thread as ``pattern`` says and return what it reads before entering."""
    read = cp_impl.can_convert_to_tracable_parameter
    context = cp_impl.do_not_convert_to_tracable_parameter
    box: list[object] = []

    def child() -> None:
        box.append(read())

    def start_and_join() -> object:
        thread = threading.Thread(target=child, name="cp-s7-child", daemon=True)
        thread.start()
        thread.join(cp_impl.deadline)
        if thread.is_alive() or not box:
            raise ClauseHang("S-7", f"the new thread to read within {cp_impl.deadline:g} s",
                             "it hung (thread abandoned)")
        return box[0]

    if pattern == "inside one context":
        with context():
            return start_and_join()
    if pattern == "inside two nested contexts":
        with context(), context():
            return start_and_join()
    if pattern == "from a worker inside its context":
        def worker() -> object:
            with context():
                return start_and_join()
        finished, outcome = call_in_fresh_thread(worker, cp_impl.deadline)
        if not finished:
            raise ClauseHang("S-7", f"the worker to finish within {cp_impl.deadline:g} s",
                             "it hung (thread abandoned)")
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
    if pattern == "inside a context, read after the parent left it":
        gate = threading.Event()

        def late_child() -> None:
            gate.wait(cp_impl.deadline)
            box.append(read())

        thread = threading.Thread(target=late_child, name="cp-s7-late", daemon=True)
        with context():
            thread.start()
        gate.set()
        thread.join(cp_impl.deadline)
        if thread.is_alive() or not box:
            raise ClauseHang("S-7", f"the new thread to read within {cp_impl.deadline:g} s",
                             "it hung (thread abandoned)")
        return box[0]
    with context():
        pass
    return start_and_join()


@pytest.mark.clause("S-7")
@pytest.mark.parametrize("pattern", START_PATTERNS)
def test_children_start_on_every_pattern(cp_impl: Implementation, pattern: str) -> None:
    """S-7 on a sweep that runs on every seed: a thread started in each pattern of
    :data:`START_PATTERNS` reads True before it enters a context itself."""

    def body() -> None:
        seen = _child_reads(cp_impl, pattern)
        check(seen is True, "S-7", f"True in a thread started {pattern}", repr(seen))

    _in_fresh_thread(cp_impl, body, "S-7")


LEAK_PATTERNS: tuple[str, ...] = (
    "one context",
    "two nested contexts",
    "one context, read by a thread that was already running",
)
"""How a thread ends inside contexts it never left (the S-8 sweep)."""


def _reads_after_leak(cp_impl: Implementation, pattern: str) -> tuple[object, object]:
    """A worker enters contexts as ``pattern`` says and ends inside them; return what the
    thread running this reads and what another thread (a new one, or one already running
    when the worker ended) reads afterwards. The abandoned contexts stay referenced until
    then, so no finaliser runs in between."""
    read = cp_impl.can_convert_to_tracable_parameter
    depth = 2 if pattern.startswith("two") else 1
    left_open: list[object] = []

    def leak() -> None:
        for _ in range(depth):
            manager = cp_impl.do_not_convert_to_tracable_parameter()
            manager.__enter__()
            left_open.append(manager)

    box: list[object] = []
    go = threading.Event()

    def bystander() -> None:
        go.wait(cp_impl.deadline)
        box.append(read())

    running = None
    if pattern.endswith("already running"):
        running = threading.Thread(target=bystander, name="cp-s8-bystander", daemon=True)
        running.start()
    finished, outcome = call_in_fresh_thread(leak, cp_impl.deadline)
    if not finished:
        raise ClauseHang("S-8", f"the worker to finish within {cp_impl.deadline:g} s",
                         "it hung (thread abandoned)")
    if isinstance(outcome, BaseException):
        raise outcome
    here = read()
    if running is None:
        running = threading.Thread(target=bystander, name="cp-s8-later", daemon=True)
        running.start()
    go.set()
    running.join(cp_impl.deadline)
    if running.is_alive() or not box:
        raise ClauseHang("S-8", f"the other thread to read within {cp_impl.deadline:g} s",
                         "it hung (thread abandoned)")
    del left_open[:]
    return here, box[0]


@pytest.mark.clause("S-8")
@pytest.mark.parametrize("pattern", LEAK_PATTERNS)
def test_dead_threads_leak_nothing_every_pattern(cp_impl: Implementation, pattern: str) -> None:
    """S-8 on a sweep that runs on every seed: after a worker ended inside ``pattern``, the
    thread that started it and another thread (new, or already running) still read True."""

    def body() -> None:
        here, other = _reads_after_leak(cp_impl, pattern)
        check(here is True, "S-8",
              f"True in the starting thread after a worker ended inside {pattern}", repr(here))
        check(other is True, "S-8",
              f"True in another thread after a worker ended inside {pattern}", repr(other))

    _in_fresh_thread(cp_impl, body, "S-8")


@pytest.mark.clause("S-8")
@settings(deadline=None)
@given(case=interleavings(min_threads=2, max_threads=4, leaks=True))
def test_dead_threads_leak_nothing(cp_impl: Implementation, case: Interleaving) -> None:
    """S-8: threads ending inside contexts change nothing anyone reads later."""
    run_interleaving(cp_impl, case, watchdog=cp_impl.deadline)


@pytest.mark.clause("S-6")
def test_context_made_in_another_thread(cp_impl: Implementation) -> None:
    """S-6: a context created in this thread and entered in another changes only the thread
    that entered it; this one still reads True meanwhile."""
    read = cp_impl.can_convert_to_tracable_parameter
    manager = cp_impl.do_not_convert_to_tracable_parameter()
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with manager:
            entered.set()
            release.wait(cp_impl.deadline)

    worker = threading.Thread(target=hold, name="cp-s6-holder", daemon=True)
    worker.start()
    try:
        if not entered.wait(cp_impl.deadline):
            raise ClauseHang("S-6", f"the other thread to enter within {cp_impl.deadline:g} s",
                             "it hung (thread abandoned)")
        seen = read()
    finally:
        release.set()
        worker.join(cp_impl.deadline)
    check(seen is True, "S-6",
          "True here while another thread is inside a context this thread created", repr(seen))


@pytest.mark.clause("S-10")
def test_abandoned_context_finalised_elsewhere(cp_impl: Implementation) -> None:
    """S-10: a thread enters a context and ends inside it; another thread, itself inside a
    context, drops the last reference to the abandoned one. Its own read stays False."""
    read = cp_impl.can_convert_to_tracable_parameter
    abandoned: list[object] = []

    def enter_and_end() -> None:
        manager = cp_impl.do_not_convert_to_tracable_parameter()
        manager.__enter__()
        abandoned.append(manager)

    _in_fresh_thread(cp_impl, enter_and_end, "S-10")

    def finalise_inside_own_context() -> None:
        with cp_impl.do_not_convert_to_tracable_parameter():
            abandoned.clear()  # the last reference: the cleanup runs here, now
            gc.collect()
            seen = read()
        check(seen is False, "S-10",
              "False inside this thread's context after another thread's abandoned context "
              "was finalised here", repr(seen))

    _in_fresh_thread(cp_impl, finalise_inside_own_context, "S-10")


@pytest.mark.clause(*_ALL_S)
def test_state_machine(cp_impl: Implementation, cp_reset_state: Callable[[], None]) -> None:
    """S-1 .. S-8 as a rule-based state machine: the rule sequence is the schedule."""
    checked = switch_machine(cp_impl, watchdog=cp_impl.deadline)

    class machine(checked):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            cp_reset_state()  # every example starts from the implementation's clean state
            super().__init__()

    # Not a @given test, so fuzzing cannot slice it into timed runs: keep it bounded and let
    # test_interleavings carry the long searches.
    current = settings.default
    profile_examples = current.max_examples if current is not None else STATE_MACHINE_MAX_EXAMPLES
    examples = min(profile_examples, STATE_MACHINE_MAX_EXAMPLES)
    run_state_machine_as_test(
        machine,
        settings=settings(deadline=None, stateful_step_count=30, max_examples=examples),
    )


@pytest.mark.clause("S-9")
def test_async_behaviour(cp_impl: Implementation, request: pytest.FixtureRequest) -> None:
    """S-9 (INFO): record how the switch behaves across asyncio tasks and
    out-of-order generators; never fails on what it observes."""
    text = describe_async_behaviour(cp_impl)
    request.node.user_properties.append(("cp_info", text))


