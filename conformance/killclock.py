"""The pytest plugin of ``cpconf mutants`` runs: kill times, targeting, no shrinking.

Registered with ``-p conformance.killclock``; inert unless given its options.
``--cp-kill-log PATH`` measures how fast each failing test finds its first
failure: every test call runs under a :class:`conformance.failure_clock.FailureClock`
(for a ``@given`` test it wraps the test's ``hypothesis.inner_test`` for the
duration of the call), giving examples-to-first-failure and
seconds-to-first-failure; a test without ``@given`` is one example, timed over
the whole call. Records travel to the controller as ``user_properties`` (so
``-n`` works) and are written as JSON. ``--cp-targeted-mutants`` runs each
catalogued mutant only against the properties of the clause it breaks;
``--cp-no-shrink`` drops Hypothesis's shrink phase.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings

from conformance.catalogue import mutants
from conformance.failure_clock import FailureClock
from conformance.outcomes import clause_ids

WIRE_KEY = "cpconf_kill"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cpconf")
    group.addoption(
        "--cp-kill-log", default=None, metavar="PATH",
        help="write examples- and seconds-to-first-failure per test here (cpconf mutants)",
    )
    group.addoption(
        "--cp-targeted-mutants", action="store_true", default=False,
        help="run each catalogued mutant only against the properties of the clause it breaks",
    )
    group.addoption(
        "--cp-no-shrink", action="store_true", default=False,
        help="skip Hypothesis's shrink phase (the first failure is all cpconf mutants needs)",
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Derive the loaded profile without the shrink phase (``--cp-no-shrink``).

    Runs at session start, after the suite loaded its profile; the suite gives
    back the previous profile when it stops. Examples-to-first-failure is not
    affected by shrinking: it only starts after the first failure.
    """
    if not session.config.getoption("cp_no_shrink", False):
        return
    current = settings()
    phases = [phase for phase in current.phases if phase is not Phase.shrink]
    name = f"{getattr(settings, '_current_profile', None) or 'default'}-noshrink"
    settings.register_profile(name, parent=current, phases=phases)
    settings.load_profile(name)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("cp_kill_log", None):
        config.pluginmanager.register(KillClock(config), "cpconf-killclock")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--cp-targeted-mutants``, keep a mutant's item only if it checks ``BREAKS``."""
    if not config.getoption("cp_targeted_mutants", False):
        return

    breaks = {entry.spec: entry.breaks for entry in mutants()}
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        target = breaks.get(_implementation_id(item))
        (dropped if target and target not in clause_ids(item) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _implementation_id(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    param = callspec.params.get("cp_impl") if callspec is not None else None
    return str(getattr(param, "id", ""))


_CLOCK = pytest.StashKey[FailureClock]()
_ELAPSED = pytest.StashKey[float]()


class KillClock:
    """The hooks; the controller (or a lone process) collects and writes the records."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[dict[str, Any]] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        clock = FailureClock()
        item.stash[_CLOCK] = clock
        handle = getattr(getattr(item, "obj", None), "hypothesis", None)
        inner = getattr(handle, "inner_test", None)
        if handle is not None and inner is not None:
            handle.inner_test = clock.wrap(inner)
        try:
            return (yield)
        finally:
            if handle is not None and inner is not None:
                handle.inner_test = inner
            item.stash[_ELAPSED] = time.perf_counter() - clock.started

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        if call.when != "call" or _CLOCK not in item.stash:
            return report
        clock = item.stash[_CLOCK]
        hypothesis_test = clock.examples > 0
        record: dict[str, Any] = {
            "nodeid": item.nodeid,
            "implementation": _implementation_id(item),
            "outcome": report.outcome,
            "examples_run": clock.examples if hypothesis_test else 1,
        }
        if report.failed:
            first = clock.first_failure or (max(clock.examples, 1), item.stash[_ELAPSED])
            record["examples_to_failure"] = first[0]
            record["seconds_to_failure"] = round(first[1], 4)
        report.user_properties = [*report.user_properties, (WIRE_KEY, record)]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == WIRE_KEY:
                self.records.append(dict(value))  # type: ignore[call-overload]

    def pytest_sessionfinish(self) -> None:
        path = self.config.getoption("cp_kill_log", None)
        if path and not hasattr(self.config, "workerinput"):
            Path(path).write_text(json.dumps(self.records, indent=1) + "\n")
