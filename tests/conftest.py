"""Shared helpers for the suite's own tests: catalogue implementations and runners.

Broken implementations come from the one catalogue, ``conformance/mutants/``."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.implementation import Implementation

C3_MUTANT = "conformance.mutants.c3_zero_fills"
PROCESS_WIDE_FLAG = "conformance.mutants.s6_process_wide_flag"
TORCH_2_4 = "conformance.alternates.torch24_partial"


def fresh_catalogue_implementation(spec: str) -> Callable[[], Implementation]:
    """A catalogue module (``conformance.mutants.NAME``) as an implementation factory: each
    call executes the module afresh, so its state (a process-wide flag, a lock) is new, as
    in a fresh process, and no thread an earlier test abandoned can reach it."""
    found = importlib.util.find_spec(spec)
    assert found is not None and found.loader is not None, spec

    def fresh() -> Implementation:
        module = importlib.util.module_from_spec(found)
        found.loader.exec_module(module)  # type: ignore[union-attr]
        return Implementation(spec=spec, origin=f"a fresh copy of {spec}", namespace=module,
                              id=spec)

    return fresh


def run_cpconf(*args: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as a user would, in a fresh process."""
    full_env = {**os.environ, "CI": "true", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args], cwd=cwd, env=full_env,
        capture_output=True, text=True, timeout=timeout, check=False,
    )


SUITE_MODULES = (
    "reference_impl",  # torch and Dynamo with it
    "torch._dynamo.create_parameter_op",  # the torch implementation
    "conformance.active",  # the plugin's lazy imports
    "conformance.suite",
    "conformance.properties.test_api",
    "conformance.properties.test_end_to_end",
    "conformance.properties.test_gradient",
)
"""What the plugin tests' in-process runs import."""


@pytest.fixture(scope="session")
def suite_imported() -> None:
    """:data:`SUITE_MODULES`, imported once per process before any ``pytester`` exists.

    ``pytester`` removes the modules imported while it lives, and torch cannot be imported
    twice in one process: what an in-process run needs must already be loaded."""
    for module in SUITE_MODULES:
        importlib.import_module(module)


@pytest.fixture
def run_in_process(suite_imported: None,
                   pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """``pytester.runpytest_inprocess``: a pytest run with the plugin in this process, which
    starts neither Python nor torch and Dynamo anew."""
    return pytester.runpytest_inprocess


def statuses(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{implementation id: {clause id: status}} from a JSON report."""
    return {
        entry["id"]: {row["id"]: row["status"] for row in entry["clauses"]}
        for entry in report["implementations"]
    }


def load_report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]
