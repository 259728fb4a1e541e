"""The tensor-side properties catch small, realistic bugs and blame the right clause.

Each broken implementation below differs from the reference in one behaviour. All of them
run at once, each in its own ``python -m pytest --pyargs conformance.properties...``
process under ``CI=true`` (the ``ci`` profile), and the JSON report must show the
targeted clause failing with a ClauseViolation (and, where the bug touches nothing else,
the file's other clauses passing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Broken:
    name: str
    module: str  # conformance.properties.<module>
    test: str  # -k expression
    clause: str
    source: str


BROKEN = (
    Broken("copies", "test_create", "test_aliases_the_source", "C-1", '''
"""Copies the source instead of aliasing it."""
from reference_impl import *  # noqa: F403
import reference_impl as _reference


def tracable_create_parameter(tensor, placeholder):
    return _reference.tracable_create_parameter(tensor.clone(), placeholder)
'''),
    Broken("bf16_negative_zero", "test_create", "test_values_bit_for_bit", "C-3", '''
"""Turns -0.0 into +0.0 in a bfloat16 source's storage (and nowhere else)."""
import torch
from reference_impl import *  # noqa: F403
import reference_impl as _reference


def tracable_create_parameter(tensor, placeholder):
    if tensor.dtype == torch.bfloat16 and tensor.device.type != "meta":
        with torch.no_grad():
            flat = torch.empty(0, dtype=torch.bfloat16).set_(tensor.untyped_storage())
            flat.masked_fill_(flat == 0, 0.0)
    return _reference.tracable_create_parameter(tensor, placeholder)
'''),
    Broken("no_grad_forgets", "test_create", "test_requires_grad_follows", "C-4", '''
"""Applies the Function under the ambient grad mode instead of the placeholder's."""
from reference_impl import *  # noqa: F403
from reference_impl import TracableCreateParameter, _check_compatible


def tracable_create_parameter(tensor, placeholder):
    _check_compatible(tensor, placeholder)
    return TracableCreateParameter.apply(tensor.detach(), placeholder)
'''),
    Broken("leaks_on_error", "test_create", "test_grad_mode_untouched", "C-5", '''
"""Sets grad mode by hand and forgets to restore it when the dtype check raises."""
import torch
from reference_impl import *  # noqa: F403
from reference_impl import TracableCreateParameter, _check_compatible


def tracable_create_parameter(tensor, placeholder):
    previous = torch.is_grad_enabled()
    torch.set_grad_enabled(placeholder.requires_grad)
    _check_compatible(tensor, placeholder)
    out = TracableCreateParameter.apply(tensor.detach(), placeholder)
    torch.set_grad_enabled(previous)
    return out
'''),
    Broken("canonical_nan_gradient", "test_gradient", "test_gradient_identity", "G-1", '''
"""Hands the placeholder a gradient whose NaNs are all the default quiet NaN."""
import torch
from reference_impl import *  # noqa: F403
import reference_impl as _reference

_CANONICAL = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


class TracableCreateParameter(torch.autograd.Function):
    @staticmethod
    def forward(ctx, tensor, placeholder):
        return placeholder.set_(tensor)

    @staticmethod
    def backward(ctx, grad):
        if grad.dtype in _CANONICAL:
            grad = torch.where(torch.isnan(grad), torch.full_like(grad, float("nan")), grad)
        return None, grad


def tracable_create_parameter(tensor, placeholder):
    _reference._check_compatible(tensor, placeholder)
    with torch.set_grad_enabled(placeholder.requires_grad):
        return TracableCreateParameter.apply(tensor.detach(), placeholder)
'''),
)


def _command(broken: Broken, impl: Path, report: Path) -> list[str]:
    return [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
        "--pyargs", f"conformance.properties.{broken.module}", "-k", broken.test,
        "--cp-impl", str(impl), "--cp-report", str(report),
    ]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Run every broken implementation concurrently; {name: JSON report}."""
    base = tmp_path_factory.mktemp("broken")
    env = {**os.environ, "CI": "true",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    running = {}
    for broken in BROKEN:
        impl = base / f"{broken.name}.py"
        impl.write_text(broken.source)
        report = base / f"{broken.name}.json"
        process = subprocess.Popen(
            _command(broken, impl, report), cwd=base, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        running[broken.name] = (process, report)
    results: dict[str, dict[str, Any]] = {}
    for name, (process, report) in running.items():
        output, _ = process.communicate(timeout=240)
        assert report.exists(), f"{name}: no report; pytest said:\n{output[-3000:]}"
        results[name] = {"report": json.loads(report.read_text()), "output": output}
    return results


@pytest.mark.parametrize("broken", BROKEN, ids=[b.name for b in BROKEN])
def test_the_targeted_clause_fails(reports: dict[str, dict[str, Any]], broken: Broken) -> None:
    result = reports[broken.name]
    (entry,) = result["report"]["implementations"]
    rows = {row["id"]: row for row in entry["clauses"]}
    row = rows[broken.clause]
    assert row["status"] == "fail", f"{broken.clause} not failed:\n{result['output'][-3000:]}"
    messages = "\n".join(failure["message"] for failure in row["failures"])
    assert f"[{broken.clause}]" in messages, messages
    failed = {clause for clause, data in rows.items() if data["status"] == "fail"}
    assert failed == {broken.clause}, f"other clauses failed too: {failed}"


def test_the_message_shows_the_first_differing_bits(reports: dict[str, dict[str, Any]]) -> None:
    """C-3 and G-1 failures name the element and both bit patterns."""
    for name, clause in (("bf16_negative_zero", "C-3"), ("canonical_nan_gradient", "G-1")):
        (entry,) = reports[name]["report"]["implementations"]
        (row,) = [row for row in entry["clauses"] if row["id"] == clause]
        message = row["failures"][0]["message"]
        assert "first difference at index" in message and "0x" in message, message
