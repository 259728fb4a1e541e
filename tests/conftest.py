"""Shared helpers for the suite's own tests: catalogue implementations and runners.

Broken implementations come from the one catalogue, ``conformance/mutants/``."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def statuses(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{implementation id: {clause id: status}} from a JSON report."""
    return {
        entry["id"]: {row["id"]: row["status"] for row in entry["clauses"]}
        for entry in report["implementations"]
    }


def load_report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]
