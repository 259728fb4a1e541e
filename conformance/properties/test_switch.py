"""S-clauses: the per-thread switch (foundation checks; schedules come with the scheduler)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.implementation import Implementation
from conformance.violation import check


def _in_fresh_thread(function: object) -> object:
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(function()))  # type: ignore[operator]
    worker.start()
    worker.join(timeout=10)
    return result[0] if result else None


@pytest.mark.clause("S-1", "S-2", "S-3", "S-5")
@given(depth=st.integers(1, 4))
def test_nested_contexts(cp_impl: Implementation, depth: int) -> None:
    read = cp_impl.can_convert_to_tracable_parameter
    enter = cp_impl.do_not_convert_to_tracable_parameter

    def scenario() -> None:
        check(read() is True, "S-1", "True before any context", read())
        managers = [enter() for _ in range(depth)]
        for level, manager in enumerate(managers):
            yielded = manager.__enter__()
            check(yielded is False and read() is False, "S-2",
                  f"yield False and read False at depth {level + 1}", (yielded, read()))
        for level, manager in reversed(list(enumerate(managers))):
            manager.__exit__(None, None, None)
            want = level == 0
            check(read() is want, "S-5" if level else "S-3",
                  f"{want} after leaving depth {level + 1}", read())

    errors: list[BaseException] = []

    def run() -> None:
        try:
            scenario()
        except BaseException as error:
            errors.append(error)

    _in_fresh_thread(run)
    if errors:
        raise errors[0]


@pytest.mark.clause("S-4")
def test_exception_restores_and_propagates(cp_impl: Implementation) -> None:
    raised = ValueError("inside the block")
    try:
        with cp_impl.do_not_convert_to_tracable_parameter():
            raise raised
    except ValueError as caught:
        check(caught is raised, "S-4", "the same exception object", repr(caught))
    check(cp_impl.can_convert_to_tracable_parameter() is True, "S-4", "True after the exception",
          "False")


@pytest.mark.clause("S-6", "S-7", "S-8")
def test_other_threads_unaffected(cp_impl: Implementation) -> None:
    with cp_impl.do_not_convert_to_tracable_parameter():
        seen = _in_fresh_thread(cp_impl.can_convert_to_tracable_parameter)
        check(seen is True, "S-7", "True in a thread started inside the context", seen)
    manager = cp_impl.do_not_convert_to_tracable_parameter()
    _in_fresh_thread(manager.__enter__)
    check(cp_impl.can_convert_to_tracable_parameter() is True, "S-6",
          "True here while another thread is inside", "False")
    later = _in_fresh_thread(cp_impl.can_convert_to_tracable_parameter)
    check(later is True, "S-8", "True in a later thread", later)
