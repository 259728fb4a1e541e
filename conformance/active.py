"""The hooks that run only while the conformance suite is active."""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from conformance import clauses, layers
from conformance.deadline import journal_calls_to, read_journal
from conformance.dynamo_log import SECTION, take_passing_lines
from conformance.fuzzing.annotation import FuzzBook
from conformance.fuzzing.counts import STATS_KEY, Counts
from conformance.fuzzing.options import FuzzOptions
from conformance.fuzzing.progress import RunningTotals, progress_line
from conformance.fuzzing.slicing import WorkerShare, run_property
from conformance.outcomes import clause_ids, crash_outcome, outcome_for
from conformance.report.rendering import render_failures, render_table
from conformance.report.results import ResultBook, TestOutcome, write
from conformance.suite import SEED_WIRE_KEY, Suite, implementation_of

WIRE_KEY = "cpconf"
JOURNAL_KEY = "cpconf_journal_dir"


def _is_property(item: pytest.Item) -> bool:
    return item.get_closest_marker("clause") is not None


class ActiveSuite:
    """The hooks that run only while the suite is active."""

    def __init__(self, config: pytest.Config, suite: Suite) -> None:
        self.config = config
        self.suite = suite
        controller = not hasattr(config, "workerinput")
        self.book = ResultBook(suite.implementation_entries(), suite.expected) if controller \
            else None
        if self.book is not None:
            for clause_id in layers.deselected_clauses(suite.layers):
                self.book.exclude(clause_id, layers.reason(suite.layers))
        self.fuzz = FuzzOptions.from_config(config)
        self.fuzz_book = FuzzBook() if controller and self.fuzz.active else None
        self.share: WorkerShare | None = None
        self.totals = RunningTotals()
        self.frozen = False
        self.started = time.time()
        # Crash containment: each xdist worker journals the implementation call it is
        # inside, so a worker that dies names the call (see crash_outcome).
        self.journals = Path(tempfile.mkdtemp(prefix="cpconf-calls-")) if controller else None
        worker_input = getattr(config, "workerinput", None)
        if worker_input is not None and worker_input.get(JOURNAL_KEY):
            journal_calls_to(str(Path(worker_input[JOURNAL_KEY]) /
                                 f"{worker_input['workerid']}.log"))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist: every worker draws with the controller's seed and journals its calls."""
        node.workerinput[SEED_WIRE_KEY] = self.suite.seed
        node.workerinput[JOURNAL_KEY] = str(self.journals) if self.journals else None

    def pytest_unconfigure(self) -> None:
        journal_calls_to(None)
        if self.journals is not None:
            shutil.rmtree(self.journals, ignore_errors=True)
        if self.frozen:
            gc.unfreeze()
        if hasattr(self.config, "workerinput"):
            # An xdist worker process ends after this hook, and the controller waits for it:
            # skip the interpreter's final cyclic collection over torch's and Dynamo's objects
            # (more than a second; what the worker reports has been sent by now).
            gc.freeze()

    def pytest_report_header(self) -> list[str]:
        return self.suite.header_lines()

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """A property that names an unknown clause is a usage error, not a silent gap."""
        for item in items:
            for clause_id in clause_ids(item):
                if clause_id not in clauses.BY_ID:
                    raise pytest.UsageError(
                        f"{item.nodeid} names unknown clause {clause_id!r}; "
                        f"known: {', '.join(clauses.BY_ID)}"
                    )
        outside = set(layers.deselected_clauses(self.suite.layers))
        dropped = [item for item in items
                   if _is_property(item) and set(clause_ids(item)) <= outside]
        if dropped:
            self.config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if item not in dropped]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "cp_impl" not in metafunc.fixturenames:
            return
        implementations = self.suite.implementations
        metafunc.parametrize(
            "cp_impl",
            implementations,
            ids=[i.id for i in implementations],
            indirect=True,
            scope="session",
        )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        if not _is_property(item):
            return (yield)
        with self.suite.replaying(item), self.suite.guard_global_state(item):
            return (yield)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        workers = getattr(self.config, "workerinput", {}).get("workercount", 1)
        properties = sum(1 for item in session.items if _is_property(item)
                         and getattr(getattr(item, "obj", None), "is_hypothesis_test", False))
        self.share = WorkerShare(total=properties, workers=int(workers))
        if self.fuzz.active and not self.frozen:
            # Fuzz mode checks cases for hours: move everything alive now (torch, Dynamo,
            # the collected tests) out of the cyclic collector's reach, so its full
            # collections walk only what the cases allocate (benchmarks/throughput.py: the
            # ratio fell from about 2.2 to about 1.9). Undone at the end of the session.
            gc.collect()
            gc.freeze()
            self.frozen = True

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        """Fuzz mode: run a Hypothesis property chunk after chunk (see
        :mod:`conformance.fuzzing.slicing`)."""
        function = getattr(pyfuncitem, "obj", None)
        if (not self.fuzz.active or self.config.getoption("cp_replay")
                or not _is_property(pyfuncitem)
                or not getattr(function, "is_hypothesis_test", False)):
            return None
        if self.share is None:
            self.share = WorkerShare(total=1, workers=1)
        counts = Counts()
        try:
            run_property(
                pyfuncitem, self.fuzz, self.share, implementation_of(pyfuncitem, self.suite),
                clause_ids(pyfuncitem), max(1, int(self.config.getoption("cp_batch"))),
                self.suite.seed, counts, self.totals,
            )
        finally:
            pyfuncitem.user_properties.append((STATS_KEY, counts.to_wire()))
        return True

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        if _is_property(item):
            report.user_properties = [
                *report.user_properties,
                *((WIRE_KEY, outcome.to_wire())
                  for outcome in outcome_for(self.suite, item, call, report)),
            ]
            said = take_passing_lines()
            if said and report.when == "call" and report.passed:
                report.sections.append((SECTION, "\n".join(said)))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.book is None:
            return
        wired = any(key == WIRE_KEY for key, _ in report.user_properties)
        if report.failed and not wired:
            crashed = crash_outcome(self.suite, report, self._last_call(report))
            if crashed is not None:
                self.book.add(crashed)
        for key, value in report.user_properties:
            if key == WIRE_KEY and isinstance(value, dict):
                self.book.add(TestOutcome.from_wire(value))
            elif key == STATS_KEY and self.fuzz_book is not None and report.when == "call":
                self._fuzz_progress(report, Counts.from_wire(value))  # type: ignore[arg-type]

    def _last_call(self, report: pytest.TestReport) -> str:
        """The call a crashed worker was inside, from its journal ("" when unknown)."""
        gateway = getattr(getattr(report, "node", None), "gateway", None)
        if self.journals is None or gateway is None:
            return ""
        return read_journal(str(self.journals / f"{gateway.id}.log"))

    def _fuzz_progress(self, report: pytest.TestReport, counts: Counts) -> None:
        outcome = next((TestOutcome.from_wire(value)  # type: ignore[arg-type]
                        for key, value in report.user_properties if key == WIRE_KEY), None)
        if outcome is None or self.fuzz_book is None:
            return
        self.fuzz_book.add(outcome.implementation, outcome.clauses, counts)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(progress_line(report.nodeid, outcome.clauses, counts))

    def report(self) -> dict[str, Any]:
        assert self.book is not None
        report = self.book.to_json(self.suite.meta())
        if self.fuzz_book is not None:
            self.fuzz_book.annotate(report, self.fuzz, self.started)
        return report

    def pytest_sessionfinish(self) -> None:
        path = self.config.getoption("cp_report")
        if self.book is not None and path:
            write(self.report(), path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.book is not None and self.book.has_results():
            report = self.report()
            terminalreporter.write_sep("=", "create-parameter-conformance: clauses")
            terminalreporter.write_line(render_table(report))
            failures = render_failures(report)
            if failures:
                terminalreporter.write_sep("-", "clause failures")
                terminalreporter.write_line(failures)
            if self.config.get_verbosity() > 0:
                self._dynamo_log(terminalreporter)
        self._stray_threads(terminalreporter)

    def _stray_threads(self, terminalreporter: Any) -> None:
        """Last: why this process may not exit (``cpconf`` ends its own after a grace)."""
        stray = self.suite.stray_threads()
        if stray:
            names = ", ".join(repr(thread.name) for thread in stray)
            terminalreporter.write_line(
                f"create-parameter-conformance: WARNING: {len(stray)} non-daemon thread(s) "
                f"started during this run still running ({names}); this process cannot exit "
                "until they end", yellow=True)

    @staticmethod
    def _dynamo_log(terminalreporter: Any) -> None:
        """With ``-v``: what Dynamo said during passing E tests (failures show it already)."""
        said = [(report.nodeid, text) for report in terminalreporter.stats.get("passed", [])
                for title, text in report.sections if title == SECTION]
        if not said:
            return
        terminalreporter.write_sep("-", SECTION.lower() + " (passing tests)")
        for nodeid, text in said:
            terminalreporter.write_line(f"{nodeid}:")
            for line in text.splitlines():
                terminalreporter.write_line(f"  {line}")
