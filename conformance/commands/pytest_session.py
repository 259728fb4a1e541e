"""Run pytest over the conformance properties and read back the JSON report."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from conformance import expectations
from conformance import layers as test_layers
from conformance.loader import ImplementationSpecError, load_all

PROPERTIES = "conformance.properties"

# The user's own pytest configuration must not decide what we collect.
ISOLATION = ["-p", "no:cacheprovider", "-o", "python_files=test_*.py",
             "-o", "python_functions=test_*", "-o", "python_classes=Test*", "-o", "addopts=",
             # This process imported Hypothesis to build its commands before pytest started;
             # pytest then warns that it cannot rewrite asserts in Hypothesis's own plugin.
             # Nothing of ours relies on that rewriting.
             "-W", "ignore:Module already imported so cannot be rewritten"
             ":pytest.PytestAssertRewriteWarning"]


DEFAULT_WORKERS = "1"
MAX_WORKER_RESTARTS = 1000


def check_specs(specs: Sequence[str], expect: str | None = None) -> str | None:
    """None when every SPEC loads (and the expectations file, if any, is valid), else the
    usage error to print."""
    try:
        if expect is not None:
            expectations.load(expect)
        load_all(list(specs))
    except (ImplementationSpecError, expectations.ExpectationsError) as error:
        return str(error)
    return None


def pytest_arguments(specs: Sequence[str], *, report: Path, workers: str | None,
                     profile: str | None, devices: str | None,
                     targets: Sequence[str] = (PROPERTIES,),
                     extra: Sequence[str] = (), layers: str | None = None) -> list[str]:
    arguments = [*ISOLATION, "--pyargs", *targets, "--cp-report", str(report), "-rN"]
    for spec in specs:
        arguments += ["--cp-impl", spec]
    # Properties run in xdist worker processes (one by default), so an implementation that
    # crashes the interpreter costs one test, reported as a failure, not the whole run.
    # "-n 0" runs everything in this process.
    workers = DEFAULT_WORKERS if workers is None else workers
    if workers not in ("0", ""):
        arguments += ["-n", workers, "--max-worker-restart", str(MAX_WORKER_RESTARTS)]
    if profile:
        arguments += ["--cp-profile", profile]
    if devices:
        arguments += ["--cp-devices", devices]
    if layers:
        arguments += ["--cp-layers", layers]
    return [*arguments, *extra]


XDIST_WORKER_WORDS = ("auto", "logical")
"""What pytest-xdist's ``-n`` takes besides a number of processes."""


def worker_count(text: str) -> str:
    """The argparse type of ``-n``: what pytest-xdist takes, checked before any run starts."""
    if text.isdigit() or text in XDIST_WORKER_WORDS:
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a number of worker processes (0, 1, 2, ... or "
        f"{' or '.join(repr(word) for word in XDIST_WORKER_WORDS)})")


def add_workers_option(parser: Any) -> None:
    """``-n``, shared by ``cpconf run``, ``fuzz`` and ``mutants``."""
    parser.add_argument("-n", dest="workers", type=worker_count, default=None, metavar="N",
                        help="pytest-xdist worker processes (a number or 'auto'; default 1, "
                        "so a crashing implementation costs one test; 0 runs in this process)")


def add_layers_option(parser: Any) -> None:
    """``--layers``, shared by ``cpconf run``, ``fuzz`` and ``mutants``."""
    parser.add_argument("--layers", default=None, metavar="LIST",
                        help="comma-separated layers: unit (the names called directly), e2e "
                        "(inside torch.compile, as Dynamo calls them); default both")


def check_layers(text: str | None) -> str | None:
    """None when ``--layers`` names known layers, else the usage error to print."""
    try:
        test_layers.parse(text)
    except ValueError as error:
        return f"--layers: {error}"
    return None


def check_devices(text: str | None) -> str | None:
    """None when ``--devices`` is absent or names devices this machine has, else the usage
    error to print. It imports torch, but no implementation (nor with it Dynamo)."""
    if text is None:
        return None
    # Here, not at the top: commands that never name a device (list, merge) stay torch-free.
    from strategies.devices import parse_devices

    try:
        parse_devices(text)
    except ValueError as error:
        return f"--devices: {error}"
    return None


def report_path(requested: Path | None) -> Path:
    """Where pytest writes the report: the user's path, else a fresh temporary file."""
    return requested or Path(tempfile.mkdtemp(prefix="cpconf-")) / "report.json"


def run_pytest(arguments: list[str], report: Path,
               plugins: Sequence[object] = ()) -> tuple[int, dict[str, Any] | None]:
    """Run pytest in this process; return its exit code and the report it wrote."""
    with _forced_seed_given_back():
        code = int(pytest.main(arguments, plugins=list(plugins)))
    sys.stdout.flush()
    if not report.exists():
        return code, None
    return code, json.loads(report.read_text())


@contextlib.contextmanager
def _forced_seed_given_back() -> Iterator[None]:
    """Give back Hypothesis's process-wide forced seed as the session found it.

    Hypothesis's pytest plugin forces ``--hypothesis-seed`` on every later test of the
    process and never takes it back, so a later session here (``main`` called again in a
    process that goes on) would run seeded, not derandomized, and without its example
    database. (A private name: :mod:`conformance.hypothesis_internals` pins it.)"""
    import hypothesis.core  # Hypothesis is imported already: it built the commands

    before = getattr(hypothesis.core, "global_force_seed", None)
    try:
        yield
    finally:
        if hasattr(hypothesis.core, "global_force_seed"):
            hypothesis.core.global_force_seed = before
