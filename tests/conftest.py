"""Shared helpers for the suite's own tests: implementation files and runners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PARTIAL_2_4 = '''"""Like torch 2.4: no thread-local switch."""
from reference_impl import (  # noqa: F401
    TracableCreateParameter, new_parameter_placeholder, tracable_create_parameter,
)
'''

BREAKS_C3 = '''"""Breaks C-3: flips the lowest bit of each real floating source element."""
import torch
from reference_impl import *  # noqa: F403
import reference_impl as _reference

_SAME_WIDTH = {torch.float32: torch.int32, torch.float64: torch.int64,
               torch.float16: torch.int16, torch.bfloat16: torch.int16}


def tracable_create_parameter(tensor, placeholder):
    if tensor.dtype in _SAME_WIDTH and tensor.device.type != "meta":
        with torch.no_grad():
            tensor.view(_SAME_WIDTH[tensor.dtype]).bitwise_xor_(1)
    return _reference.tracable_create_parameter(tensor, placeholder)
'''

BREAKS_P3 = '''"""Breaks P-3: keeps the placeholder's bytes."""
import torch
from reference_impl import *  # noqa: F403


def new_parameter_placeholder(size, dtype, device, requires_grad):
    return torch.nn.Parameter(torch.empty(size, dtype=dtype, device=device), requires_grad)
'''

GLOBAL_FLAG = '''"""Breaks S-6: one switch for the whole process instead of one per thread."""
from contextlib import contextmanager

from reference_impl import (  # noqa: F401
    TracableCreateParameter, new_parameter_placeholder, tracable_create_parameter,
)

_enabled = [True]


def can_convert_to_tracable_parameter():
    return _enabled[0]


@contextmanager
def do_not_convert_to_tracable_parameter():
    previous = _enabled[0]
    _enabled[0] = False
    try:
        yield False
    finally:
        _enabled[0] = previous
'''

HANGS = '''"""Hangs in the placeholder constructor."""
from reference_impl import *  # noqa: F403


def new_parameter_placeholder(size, dtype, device, requires_grad):
    while True:
        pass
'''


@pytest.fixture
def impl_files(tmp_path: Path) -> dict[str, Path]:
    """Implementation files a test can pass as SPECs."""
    files = {}
    for name, text in {"partial_2_4": PARTIAL_2_4, "breaks_c3": BREAKS_C3,
                       "breaks_p3": BREAKS_P3, "hangs": HANGS,
                       "global_flag": GLOBAL_FLAG}.items():
        files[name] = tmp_path / f"{name}.py"
        files[name].write_text(text)
    return files


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
