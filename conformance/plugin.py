"""The pytest plugin (entry point ``pytest11: cpconf``).

It stays inert unless the conformance suite is asked for: an implementation
SPEC was given (``--cp-impl``, ``CP_IMPL`` or the ``cp_impl`` ini value), or a
collection argument points into the ``conformance`` package (``pytest --pyargs
conformance`` or ``cpconf run``). An unrelated project's run only gains the
options and the ``clause`` marker.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance import profiles, replay
from conformance.batch import DEFAULT_BATCH
from conformance.database import DEFAULT_EXPIRE_DAYS, DatabaseSpecError, check
from conformance.implementation import Implementation
from conformance.sharding import Shard, ShardSelection

if TYPE_CHECKING:
    from conformance.suite import Suite

_WARNING_FILTERS = (
    # A worker thread that died must fail its test, never pass with a warning.
    "error::pytest.PytestUnhandledThreadExceptionWarning",
    # torch's performance hint for odd gradient layouts, which the suite draws on purpose.
    "ignore:grad and param do not obey the gradient layout contract:UserWarning",
)
SUITE_KEY = pytest.StashKey["Suite"]()
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
        help="Hypothesis profile: dev, ci or nightly (default: ci, derandomized, whatever CI "
        "says; --hypothesis-seed N explores randomly at ci's budget; an explicit "
        "--hypothesis-profile is kept)",
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
        "--cp-db", default=None, metavar="DIR|URL",
        help="example database of the nightly profile: a directory (default "
        ".hypothesis/cpconf-nightly) or redis://HOST:PORT/N shared by many machines; "
        "replayed first",
    )
    group.addoption(
        "--cp-db-expire-days", type=float, default=DEFAULT_EXPIRE_DAYS, metavar="DAYS",
        help=f"a Redis database forgets examples unused for this long (default "
        f"{DEFAULT_EXPIRE_DAYS:g})",
    )
    group.addoption(
        "--cp-shard", default=None, metavar="I/N",
        help="run only shard I of N of the properties (sorted by name, round robin); "
        "clauses checked only in other shards are reported not-applicable",
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
        "--cp-expect", default=None, metavar="FILE",
        help="expectations file (TOML): clauses each implementation is known to fail; "
        "a shipped name such as 'torch' works too",
    )
    group.addoption(
        "--cp-layers", default=None, metavar="LIST",
        help="comma-separated test layers to run: unit (the names called directly), e2e (inside "
        "torch.compile, as Dynamo calls them); default both",
    )
    group.addoption(
        "--cp-deadline", type=float, default=None, metavar="SECONDS",
        help="fail an implementation call that does not return in this time (default 30)",
    )


def explicit_specs(config: pytest.Config) -> list[str]:
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
    specs = explicit_specs(config)
    if not specs and not _points_into_package(config):
        return
    shard = _check_options(config)
    # Imported here so that an unrelated pytest run never imports torch.
    from conformance.active import ActiveSuite
    from conformance.suite import Suite

    suite = Suite.start(config, specs or ["reference"])
    for line in _WARNING_FILTERS:
        config.addinivalue_line("filterwarnings", line)
    config.stash[SUITE_KEY] = suite
    config.add_cleanup(suite.stop)
    active = ActiveSuite(config, suite)
    config.pluginmanager.register(active, "cpconf-active-suite")
    if shard is not None:
        config.pluginmanager.register(ShardSelection(shard, active.book), "cpconf-shard")


_POSITIVE = {"cp_db_expire_days": "--cp-db-expire-days", "cp_deadline": "--cp-deadline",
             "cp_examples": "--cp-examples", "cp_batch": "--cp-batch"}
"""The numeric options that must be above zero when given (a deadline of -1 would bound
nothing)."""


def _check_options(config: pytest.Config) -> Shard | None:
    """Usage errors before any test runs: a number that is not positive, a replay this
    Hypothesis cannot run, a bad shard, an unreachable database (pinged once, by the
    controller). :meth:`Suite.start` checks the rest."""
    for dest, option in _POSITIVE.items():
        value = config.getoption(dest)
        if value is not None and value <= 0:
            raise pytest.UsageError(f"{option} must be positive, not {value:g}")
    if config.getoption("cp_replay"):
        try:
            replay.split(config.getoption("cp_replay"))
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
    try:
        shard = Shard.parse(config.getoption("cp_shard"))
        if config.getoption("cp_db") and not hasattr(config, "workerinput"):
            check(config.getoption("cp_db"))
    except (ValueError, DatabaseSpecError) as error:
        raise pytest.UsageError(str(error)) from None
    return shard


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
def cp_profile(request: pytest.FixtureRequest) -> str:
    """The profile this run uses (``dev``, ``ci``, ``nightly``, or a label for another)."""
    return _suite_or_fail(request.config).profile


@pytest.fixture(scope="session")
def cp_batch(request: pytest.FixtureRequest) -> int:
    """How many cases a property checks per Hypothesis example (``--cp-batch``)."""
    _suite_or_fail(request.config)
    return max(1, int(request.config.getoption("cp_batch")))


@pytest.fixture
def cp_reset_state(request: pytest.FixtureRequest, cp_impl: Implementation) -> Callable[[], None]:
    """Puts the implementation's module state back as the session found it: for a
    property that runs several examples without ``@given`` (a state machine)."""
    return _suite_or_fail(request.config).clean_state(cp_impl).restore


def _suite_or_fail(config: pytest.Config) -> Suite:
    suite = config.stash.get(SUITE_KEY, None)
    if suite is None:
        pytest.fail("this fixture needs the conformance suite: pass --cp-impl SPEC")
    return suite


