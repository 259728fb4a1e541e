"""The pytest plugin (entry point ``pytest11: cpconf``).

It stays inert unless the conformance suite is asked for: an implementation
SPEC was given (``--cp-impl``, ``CP_IMPL`` or the ``cp_impl`` ini value), or a
collection argument points into the ``conformance`` package (``pytest --pyargs
conformance`` or ``cpconf run``). An unrelated project's run only gains the
options and the ``clause`` marker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from conformance import fuzzing, profiles
from conformance.batch import DEFAULT_BATCH
from conformance.implementation import Implementation
from conformance.loader import ImplementationSpecError, load_all
from conformance.outcomes import clause_ids, outcome_for
from conformance.report import ResultBook, TestOutcome, render_failures, render_table, write
from conformance.suite import SEED_WIRE_KEY, Suite, implementation_of

_WARNING_FILTERS = (
    # A worker thread that died must fail its test, never pass with a warning.
    "error::pytest.PytestUnhandledThreadExceptionWarning",
    # torch's performance hint for odd gradient layouts, which the suite draws on purpose.
    "ignore:grad and param do not obey the gradient layout contract:UserWarning",
)
SUITE_KEY = pytest.StashKey[Suite]()
WIRE_KEY = "cpconf"
PACKAGE_DIR = Path(__file__).resolve().parent


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cpconf", "create-parameter-conformance")
    group.addoption(
        "--cp-impl", action="append", default=None, metavar="SPEC",
        help="implementation to check; repeat for a matrix. SPEC: reference, torch, an entry-point "
        "name, pkg.mod, pkg.mod:attr or path/to/impl.py. Precedence: this option, then the "
        "CP_IMPL environment variable (comma-separated), then the cp_impl ini value, then "
        "'reference'.",
    )
    parser.addini("cp_impl", type="linelist", help="implementation SPEC(s) to check")
    group.addoption(
        "--cp-profile", choices=profiles.NAMES, default=None,
        help="Hypothesis profile: dev, ci or nightly (default: ci under CI=true, else dev; "
        "an explicit --hypothesis-profile is kept)",
    )
    group.addoption(
        "--cp-devices", default=None, metavar="LIST",
        help="comma-separated devices to draw from (default: every available device)",
    )
    group.addoption("--cp-report", default=None, metavar="PATH", help="write the JSON report here")
    group.addoption(
        "--cp-replay", default=None, metavar="VERSION:BLOB",
        help="replay one failing example (from a report's reproduce command)",
    )
    group.addoption(
        "--cp-batch", type=int, default=DEFAULT_BATCH, metavar="N",
        help="check up to N cases per Hypothesis example (throughput for fuzzing; default 1)",
    )
    group.addoption(
        "--cp-db", default=None, metavar="DIR",
        help="example database of the nightly profile (default .hypothesis/cpconf-nightly); "
        "replayed first, shared safely by xdist workers",
    )
    group.addoption(
        "--cp-stop-at", type=float, default=None, metavar="EPOCH",
        help="fuzz: run every property run after run, with new seeds, until this Unix time "
        "(each gets a fair share; runs are never cut short)",
    )
    group.addoption(
        "--cp-examples", type=int, default=None, metavar="N",
        help="examples per Hypothesis run (overrides the profile; fixed-size benchmarks)",
    )
    group.addoption(
        "--cp-progress-dir", default=None, metavar="DIR",
        help="fuzz: write running example counts here (read by cpconf fuzz)",
    )
    group.addoption(
        "--cp-deadline", type=float, default=None, metavar="SECONDS",
        help="fail an implementation call that does not return in this time (default 30)",
    )


def _explicit_specs(config: pytest.Config) -> list[str]:
    """The SPECs the user gave, by precedence; empty when none was given."""
    from_option = config.getoption("cp_impl")
    if from_option:
        return list(from_option)
    from_env = os.environ.get("CP_IMPL", "")
    if from_env.strip():
        return [spec.strip() for spec in from_env.split(",") if spec.strip()]
    return list(config.getini("cp_impl"))


def _points_into_package(config: pytest.Config) -> bool:
    pyargs = bool(config.getoption("pyargs", False))
    for arg in config.args:
        target = arg.split("::", 1)[0]
        if pyargs and (target == "conformance" or target.startswith("conformance.")):
            return True
        path = Path(target)
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        try:
            resolved = path.resolve()
        except OSError:
            continue
        if resolved == PACKAGE_DIR or PACKAGE_DIR in resolved.parents:
            return True
    return False


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "clause(*ids): the SPEC.md clause(s) this conformance property checks"
    )
    specs = _explicit_specs(config)
    if not specs and not _points_into_package(config):
        return
    try:
        implementations = load_all(specs or ["reference"])
    except ImplementationSpecError as error:
        raise pytest.UsageError(str(error)) from None
    suite = Suite.start(config, implementations)
    for line in _WARNING_FILTERS:
        config.addinivalue_line("filterwarnings", line)
    config.stash[SUITE_KEY] = suite
    config.add_cleanup(suite.stop)
    config.pluginmanager.register(ActiveSuite(config, suite), "cpconf-active-suite")


@pytest.fixture(scope="session")
def cp_impl(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test (one per matrix column)."""
    param = getattr(request, "param", None)
    if isinstance(param, Implementation):
        return param
    return _suite_or_fail(request.config).implementations[0]


@pytest.fixture(scope="session")
def cp_devices(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The devices the properties draw from (``--cp-devices``)."""
    return _suite_or_fail(request.config).devices


@pytest.fixture(scope="session")
def cp_batch(request: pytest.FixtureRequest) -> int:
    """How many cases a property checks per Hypothesis example (``--cp-batch``)."""
    _suite_or_fail(request.config)
    return max(1, int(request.config.getoption("cp_batch")))


def _suite_or_fail(config: pytest.Config) -> Suite:
    suite = config.stash.get(SUITE_KEY, None)
    if suite is None:
        pytest.fail("this fixture needs the conformance suite: pass --cp-impl SPEC")
    return suite


def _is_property(item: pytest.Item) -> bool:
    return item.get_closest_marker("clause") is not None


class ActiveSuite:
    """The hooks that run only while the suite is active."""

    def __init__(self, config: pytest.Config, suite: Suite) -> None:
        self.config = config
        self.suite = suite
        controller = not hasattr(config, "workerinput")
        self.book = ResultBook(suite.implementation_entries()) if controller else None
        self.fuzz = fuzzing.FuzzOptions.from_config(config)
        self.fuzz_book = fuzzing.FuzzBook() if controller and self.fuzz.active else None
        self.share: fuzzing.WorkerShare | None = None
        self.started = time.time()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist: every worker draws with the controller's seed."""
        node.workerinput[SEED_WIRE_KEY] = self.suite.seed

    def pytest_report_header(self) -> list[str]:
        return self.suite.header_lines()

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
        self.share = fuzzing.WorkerShare(total=properties, workers=int(workers))

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        """Fuzz mode: run a Hypothesis property chunk after chunk (see :mod:`fuzzing`)."""
        function = getattr(pyfuncitem, "obj", None)
        if (not self.fuzz.active or self.config.getoption("cp_replay")
                or not _is_property(pyfuncitem)
                or not getattr(function, "is_hypothesis_test", False)):
            return None
        if self.share is None:
            self.share = fuzzing.WorkerShare(total=1, workers=1)
        counts = fuzzing.Counts()
        try:
            fuzzing.run_property(
                pyfuncitem, self.fuzz, self.share, implementation_of(pyfuncitem, self.suite),
                clause_ids(pyfuncitem), max(1, int(self.config.getoption("cp_batch"))),
                self.suite.seed, counts,
            )
        finally:
            pyfuncitem.user_properties.append((fuzzing.STATS_KEY, counts.to_wire()))
        return True

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        if _is_property(item):
            outcome = outcome_for(self.suite, item, call, report)
            if outcome is not None:
                report.user_properties = [*report.user_properties, (WIRE_KEY, outcome.to_wire())]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.book is None:
            return
        for key, value in report.user_properties:
            if key == WIRE_KEY:
                self.book.add(TestOutcome.from_wire(value))  # type: ignore[arg-type]
            elif key == fuzzing.STATS_KEY and self.fuzz_book is not None and report.when == "call":
                self._fuzz_progress(report, fuzzing.Counts.from_wire(value))  # type: ignore[arg-type]

    def _fuzz_progress(self, report: pytest.TestReport, counts: fuzzing.Counts) -> None:
        outcome = next((TestOutcome.from_wire(value)  # type: ignore[arg-type]
                        for key, value in report.user_properties if key == WIRE_KEY), None)
        if outcome is None or self.fuzz_book is None:
            return
        self.fuzz_book.add(outcome.implementation, outcome.clauses, counts)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(fuzzing.progress_line(report.nodeid, outcome.clauses, counts))

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
        if self.book is None or not self.book.has_results():
            return
        report = self.report()
        terminalreporter.write_sep("=", "create-parameter-conformance: clauses")
        terminalreporter.write_line(render_table(report))
        failures = render_failures(report)
        if failures:
            terminalreporter.write_sep("-", "clause failures")
            terminalreporter.write_line(failures)
