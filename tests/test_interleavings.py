"""Tests of the interleaving harness itself: real threads, real torch, no mocks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings

import reference_impl
from conformance.implementation import Implementation, MissingApi
from conformance.switch_model import (
    InterleavingViolation,
    PoisonedState,
    StuckWorker,
    WorkerCrashed,
    run_interleaving,
)
from strategies.interleavings import (
    Interleaving,
    interleavings,
)
from tests.conftest import PROCESS_WIDE_FLAG, fresh_catalogue_implementation

torch_op = pytest.importorskip("torch._dynamo.create_parameter_op")

HUNT = settings(derandomize=True, database=None, max_examples=2000, deadline=None)


@pytest.mark.parametrize("impl", [reference_impl, torch_op], ids=["reference", "torch"])
@settings(deadline=None, max_examples=150)
@given(case=interleavings())
def test_correct_implementations_pass(impl: Any, case: Interleaving) -> None:
    run_interleaving(impl, case)


def _hunt(
    factory: Callable[[], Any], **kwargs: Any
) -> tuple[Interleaving, InterleavingViolation, dict[str, float]]:
    """Shrink to a minimal failing case; also measure the first failure.

    Each example gets a fresh instance of the broken switch (as a fresh process
    would): a shared flag can strand itself at False through legal operations,
    which would otherwise fail every later example with PoisonedState."""
    calls = 0
    first: dict[str, float] = {}
    started = time.perf_counter()

    def fails(case: Interleaving) -> bool:
        nonlocal calls
        calls += 1
        try:
            run_interleaving(factory(), case)
        except InterleavingViolation:
            first.setdefault("examples", calls)
            first.setdefault("seconds", time.perf_counter() - started)
            return True
        return False

    case = find(interleavings(**kwargs), fails, settings=HUNT)
    first["shrunk_after"] = calls
    first["total_seconds"] = time.perf_counter() - started
    with pytest.raises(InterleavingViolation) as caught:
        run_interleaving(factory(), case)
    return case, caught.value, first


DEADLOCK = "conformance.mutants.x_deadlock_on_reentry"
READER_RAISES = "conformance.mutants.s2_reader_raises_inside"

BUGS: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("global_flag", PROCESS_WIDE_FLAG, {}, {"S-6", "S-8"}),
    ("global_flag_live", PROCESS_WIDE_FLAG, {"leaks": False}, {"S-6"}),
    ("restore_true", "conformance.mutants.s5_resets_to_true", {}, {"S-5"}),
    ("no_finally", "conformance.mutants.s4_no_finally", {}, {"S-4"}),
]


@pytest.mark.parametrize(("name", "spec", "kwargs", "clauses"), BUGS, ids=[b[0] for b in BUGS])
def test_bug_is_caught_with_few_switches(
    name: str,
    spec: str,
    kwargs: dict[str, Any],
    clauses: set[str],
    request: pytest.FixtureRequest,
) -> None:
    case, violation, metrics = _hunt(fresh_catalogue_implementation(spec), **kwargs)
    assert violation.clause_id in clauses, violation
    assert case.switches <= 3, case
    assert repr(case) in str(violation)
    assert "✗ expected" in str(violation)
    summary = (
        f"{name}: first failure after {metrics['examples']:.0f} examples / "
        f"{metrics['seconds']:.3f}s; shrunk after {metrics['shrunk_after']:.0f} examples / "
        f"{metrics['total_seconds']:.3f}s; {violation.clause_id}; {case!r}"
    )
    request.node.user_properties.append(("hunt", summary))
    print(summary)


def test_same_failure_on_two_runs() -> None:
    """The hunt is derandomized: two runs shrink to the same interleaving (the process-wide
    flag, with its cheaper hunt: leaking programs allowed)."""
    fresh = fresh_catalogue_implementation(PROCESS_WIDE_FLAG)
    first, _, _ = _hunt(fresh)
    second, _, _ = _hunt(fresh)
    assert first == second


def test_stranded_flag_is_reported_as_poisoned_state() -> None:
    impl = fresh_catalogue_implementation(PROCESS_WIDE_FLAG)()
    stranding = Interleaving(program=(("enter", "exit"), ("enter", "exit")), schedule=[0, 1, 1])
    with pytest.raises(InterleavingViolation) as caught:
        run_interleaving(impl, stranding)
    assert caught.value.clause_id == "S-6"
    with pytest.raises(PoisonedState):
        run_interleaving(impl, Interleaving(program=(("read",),)))


def test_global_flag_fails_as_isolation_with_one_switch() -> None:
    case = Interleaving(program=(("enter", "exit"), ("read",)), schedule=[0, 1])
    with pytest.raises(InterleavingViolation) as caught:
        run_interleaving(fresh_catalogue_implementation(PROCESS_WIDE_FLAG)(), case)
    assert caught.value.clause_id == "S-6"
    assert "T2 read=False ✗ expected True" in str(caught.value)


def _deadlocking() -> tuple[Any, Callable[[], None]]:
    """The deadlock mutant, its lock already leaked (every entry blocks), and a function
    that frees it so the abandoned daemon threads can finish."""
    impl = fresh_catalogue_implementation(DEADLOCK)()
    lock = impl.namespace._compile_lock
    lock.acquire(blocking=False)

    def free() -> None:
        if lock.locked():
            lock.release()

    return impl, free


def test_deadlock_fails_within_the_watchdog_and_the_run_goes_on() -> None:
    impl, free = _deadlocking()
    case = Interleaving(program=(("read", "enter", "exit"), ("read",)), schedule=[])
    began = time.perf_counter()
    try:
        with pytest.raises(StuckWorker) as caught:
            run_interleaving(impl, case, watchdog=0.2)
        assert time.perf_counter() - began < 10.0  # a deadlock would never return
        assert caught.value.clause_id == "S-2"
        assert "T1 enter" in str(caught.value)
        # the process carries on: the next run works normally
        run_interleaving(reference_impl, case)
    finally:
        free()


def test_deadlock_fails_a_property_instead_of_hanging() -> None:
    impl, free = _deadlocking()

    @settings(max_examples=5, deadline=None, database=None, phases=[Phase.generate])
    @given(case=interleavings(max_threads=2, max_ops=6))
    def prop(case: Interleaving) -> None:
        run_interleaving(impl, case, watchdog=0.1)

    began = time.perf_counter()
    try:
        with pytest.raises(StuckWorker):
            prop()
    finally:
        free()
    assert time.perf_counter() - began < 30.0


def test_worker_exception_fails_the_example() -> None:
    impl = fresh_catalogue_implementation(READER_RAISES)()
    case = Interleaving(program=(("enter", "read", "exit"),), schedule=[])
    with pytest.raises(WorkerCrashed) as caught:
        run_interleaving(impl, case)
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert "T1 read raised" in str(caught.value)

    @settings(max_examples=50, deadline=None, database=None)
    @given(case=interleavings())
    def prop(case: Interleaving) -> None:
        run_interleaving(impl, case)

    with pytest.raises(WorkerCrashed):
        prop()


def test_missing_api_propagates_as_a_skip() -> None:
    impl = Implementation(spec="old", origin="2.4", namespace=SimpleNamespace(), id="old")
    with pytest.raises(MissingApi):
        run_interleaving(impl, Interleaving(program=(("read",),)))


def test_exactly_one_worker_runs_at_a_time() -> None:
    running = 0
    overlaps = 0
    guard = threading.Lock()

    def can_convert_to_tracable_parameter() -> bool:
        nonlocal running, overlaps
        with guard:
            running += 1
            overlaps += running > 1
        time.sleep(0.0005)
        with guard:
            running -= 1
        return reference_impl.can_convert_to_tracable_parameter()

    impl = SimpleNamespace(
        do_not_convert_to_tracable_parameter=reference_impl.do_not_convert_to_tracable_parameter,
        can_convert_to_tracable_parameter=can_convert_to_tracable_parameter,
    )
    case = Interleaving(
        program=(("read",) * 6, ("enter", "read", "read", "exit"), ("read",) * 6),
        schedule=[1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2],
    )
    run_interleaving(impl, case)
    assert overlaps == 0


def test_several_controllers_at_once() -> None:
    errors: list[BaseException] = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(case=interleavings())
    def prop(case: Interleaving) -> None:
        run_interleaving(reference_impl, case)

    def controller() -> None:
        try:
            prop()
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=controller) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors


@given(case=interleavings())
@settings(deadline=None)
def test_repr_is_a_pasteable_literal(case: Interleaving) -> None:
    assert eval(repr(case), {"Interleaving": Interleaving}) == case


def test_ill_formed_programs_are_refused() -> None:
    for program in [(), (("exit",),), (("start T1",),), (("read", "start T3"), ("read",))]:
        with pytest.raises(ValueError):
            Interleaving(program=program)


def test_child_started_inside_reads_true() -> None:
    case = Interleaving(
        program=(("enter", "start T2", "read", "exit"), ("read",)), schedule=[0, 0, 1]
    )
    timeline = run_interleaving(torch_op, case)
    assert "T1 start T2 inside 1 context(s)" in timeline
    assert "T2 read=True" in timeline
