"""Read one pytest report as evidence about clauses (runs where the test ran)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace

import pytest
from hypothesis.errors import DidNotReproduce

from conformance import replay
from conformance.applicability import Blocked, NotApplicable
from conformance.coverage import property_target
from conformance.implementation import MissingApi
from conformance.report.results import TestOutcome
from conformance.suite import Suite, implementation_of, pyargs_target
from conformance.violation import VIOLATIONS

if sys.version_info < (3, 11):  # pragma: no cover - Hypothesis depends on the backport there
    from exceptiongroup import BaseExceptionGroup


_BLOB = re.compile(r"@reproduce_failure\('([^']+)', b'([^']+)'\)")


def clause_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for marker in item.iter_markers("clause"):
        ids.extend(str(arg) for arg in marker.args if str(arg) not in ids)
    return tuple(ids)


def _leaves(error: BaseException) -> list[BaseException]:
    """The individual errors, flattening exception groups (Hypothesis reports several so)."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _notes(error: BaseException) -> list[str]:
    found = list(getattr(error, "__notes__", []))
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found += _notes(inner)
    return found


def _example_and_blob(error: BaseException) -> tuple[str, str | None]:
    example_lines: list[str] = []
    blob = None
    for note in _notes(error):
        match = _BLOB.search(note)
        if match:
            blob = blob or replay.join(match.group(1), match.group(2))
            continue
        example_lines.append(note)
    return "\n".join(example_lines).strip(), blob


def _bugs(error: BaseException) -> list[BaseException]:
    """The distinct bugs one failure holds: Hypothesis reports several as a group whose
    members each carry their own falsifying example and blob."""
    if isinstance(error, BaseExceptionGroup) and any(_notes(inner) for inner in error.exceptions):
        return list(error.exceptions)
    return [error]


def _describe(error: BaseException) -> tuple[tuple[str, ...], str]:
    leaves = _leaves(error)
    violated: list[str] = []
    for leaf in leaves:
        if isinstance(leaf, VIOLATIONS) and leaf.clause_id not in violated:
            violated.append(leaf.clause_id)
    message = "\n".join(
        str(leaf) if isinstance(leaf, VIOLATIONS)
        else f"{type(leaf).__name__} raised by the implementation or the property: {leaf}"
        for leaf in leaves
    )
    return tuple(violated), message


def _skip_outcome(error: BaseException | None) -> str:
    """A skip's meaning: missing API, blocked, not applicable, or simply not run."""
    if isinstance(error, MissingApi):
        return "missing-api"
    if isinstance(error, Blocked):
        return "blocked"
    if isinstance(error, NotApplicable):
        return "not-applicable"
    return "not-run"


def _skip_reason(error: BaseException | None) -> str:
    if isinstance(error, Blocked):
        return f"by {error.clause_id}: {error.reason}"
    if isinstance(error, NotApplicable):
        return error.reason
    return str(error) if error is not None else ""


def outcome_for(
    suite: Suite, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
) -> list[TestOutcome]:
    """The :class:`TestOutcome` s this report carries: one per distinct bug of a failure,
    each with its own reproduce command; none for a passing setup/teardown."""
    if report.when != "call" and report.passed:
        return []
    implementation = implementation_of(item, suite)
    base = TestOutcome(
        nodeid=item.nodeid,
        implementation=implementation.id,
        clauses=clause_ids(item),
        outcome="passed",
    )
    error = call.excinfo.value if call.excinfo is not None else None
    if report.passed:
        observation = "; ".join(
            str(value) for key, value in item.user_properties if key == "cp_info"
        )
        return [replace(base, observation=observation)]
    if report.skipped:
        return [replace(base, outcome=_skip_outcome(error), message=_skip_reason(error))]
    assert error is not None
    if isinstance(error, DidNotReproduce):  # the replay ran no failing example: no verdict
        return [replace(base, outcome="not-run",
                        message=f"--cp-replay did not replay a failure: {error}")]
    outcomes = []
    for bug in _bugs(error):
        violated, message = _describe(bug)
        example, blob = _example_and_blob(bug)
        outcomes.append(replace(
            base,
            outcome="failed",
            violated=violated,
            message=message,
            example=example,
            reproduce=suite.reproduce_command(pyargs_target(item), implementation, blob),
        ))
    return outcomes


def crash_outcome(suite: Suite, report: pytest.TestReport,
                  last_call: str = "") -> TestOutcome | None:
    """A failed property whose process died before it could report (a segfault in the
    implementation, seen by xdist as a crashed worker): fail all of its clauses, naming
    ``last_call``, the implementation call the process was inside (its journal)."""
    found = property_target(report.nodeid)
    if found is None:
        return None
    target, clause_ids_of_test, param = found
    implementation = next(
        (impl for impl in suite.implementations if impl.id == param), suite.implementations[0]
    )
    return TestOutcome(
        nodeid=report.nodeid,
        implementation=implementation.id,
        clauses=clause_ids_of_test,
        outcome="failed",
        message="the test process crashed while the implementation ran "
        f"(no Python exception; e.g. a segmentation fault): {report.longreprtext.strip()}; "
        + (f"it was inside {last_call}" if last_call
           else "not inside a bounded call of the implementation's names"),
        reproduce=suite.reproduce_command(target, implementation, None),
    )
