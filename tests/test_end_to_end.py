"""The end-to-end layer (E-clauses): swap-in, placement, crash containment, layers.

The swap-in tests compile real functions with ``torch.compile`` in this
process; the command tests run ``cpconf`` in fresh processes, one per command. A crash
or hang inside compilation is tested with the other crashes (``test_verdicts.py``).
"""

from __future__ import annotations

import os
import shutil
import types
from pathlib import Path
from typing import Any

import pytest
import torch

import reference_impl
from conformance import clauses, layers
from conformance.applicability import NotApplicable
from conformance.implementation import PUBLIC_NAMES, Implementation
from conformance.swap_in import OPAQUE_NAME, sites, swapped_in, torch_originals
from tests.conftest import load_report, run_cpconf, statuses

E_CLAUSES = [clause.id for clause in clauses.CLAUSES if clause.family == "E"]


def _recording(name: str, log: list[str]) -> Implementation:
    """The reference, each take-over noted in ``log`` under ``name``."""
    def tracable_create_parameter(tensor: torch.Tensor, placeholder: Any) -> torch.Tensor:
        log.append(name)
        return reference_impl.tracable_create_parameter(tensor, placeholder)

    namespace = types.SimpleNamespace(
        **{n: getattr(reference_impl, n) for n in PUBLIC_NAMES},
    )
    namespace.tracable_create_parameter = tracable_create_parameter
    return Implementation(name, "test", namespace, name)


def _build(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.Parameter(x * 2 + 1)


def _snapshot() -> dict[str, Any]:
    return {
        "sites": [(s.module.__name__, s.attribute, s.original) for s in sites()],
        "values": [getattr(s.module, s.attribute) for s in sites()],
        "graph_break_on_nn_param_ctor": torch._dynamo.config.graph_break_on_nn_param_ctor,
        "automatic_dynamic_shapes": torch._dynamo.config.automatic_dynamic_shapes,
    }


def test_swap_in_finds_every_copy_dynamo_imported() -> None:
    found = {(s.module.__name__, s.name) for s in sites()}
    assert ("torch._dynamo.create_parameter_op", "new_parameter_placeholder") in found
    assert ("torch._dynamo.variables.torch", "tracable_create_parameter") in found
    assert ("torch._dynamo.variables.torch", "can_convert_to_tracable_parameter") in found
    assert any(module.endswith(".misc") for module, _ in found)
    assert any(module.endswith(".user_defined") for module, _ in found)


def test_swap_in_replaces_then_restores_everything() -> None:
    before = _snapshot()
    log: list[str] = []
    impl = _recording("a", log)
    with swapped_in(impl, config={"automatic_dynamic_shapes": False}) as patched:
        assert patched
        for site in patched:
            assert getattr(site.module, site.attribute) is not site.original
        assert torch._dynamo.config.graph_break_on_nn_param_ctor is False
        out = torch.compile(_build, backend="aot_eager", fullgraph=True)(torch.ones(3))
        assert type(out) is torch.nn.Parameter
    assert log, "Dynamo never called the swapped-in implementation"
    assert _snapshot() == before
    import conformance.swap_in as module
    assert not hasattr(module, OPAQUE_NAME)


class _Broken(Exception):
    pass


def test_swap_in_restores_after_a_raising_implementation() -> None:
    before = _snapshot()

    def tracable_create_parameter(tensor: torch.Tensor, placeholder: Any) -> torch.Tensor:
        raise _Broken("take-over refused")

    namespace = types.SimpleNamespace(**{n: getattr(reference_impl, n) for n in PUBLIC_NAMES})
    namespace.tracable_create_parameter = tracable_create_parameter
    impl = Implementation("raising", "test", namespace, "raising")
    with pytest.raises(Exception, match="take-over refused"), swapped_in(impl):
        torch.compile(_build, backend="aot_eager", fullgraph=True)(torch.ones(2))
    assert _snapshot() == before
    assert torch_originals()["tracable_create_parameter"] is \
        torch._dynamo.variables.torch.tracable_create_parameter


def test_a_matrix_in_one_process_never_mixes_implementations() -> None:
    """Same function, two implementations one after the other: each example's compiled
    code calls only the implementation swapped in for it."""
    log: list[str] = []
    x = torch.ones(2, 3)
    for name in ("first", "second", "first"):
        log.clear()
        with swapped_in(_recording(name, log)):
            torch.compile(_build, backend="aot_eager", fullgraph=True)(x)
        assert log and set(log) == {name}, log


def test_layers_parse_and_refuse_unknown_names() -> None:
    assert layers.parse(None) == ("unit", "e2e")
    assert layers.parse("e2e, unit") == ("unit", "e2e")
    assert layers.parse("e2e") == ("e2e",)
    with pytest.raises(ValueError, match="known: unit, e2e"):
        layers.parse("unit,speed")
    assert layers.deselected_clauses(("unit",)) == E_CLAUSES
    assert "E-1" not in layers.deselected_clauses(("e2e",))


@pytest.fixture()
def copied_torch_module(tmp_path: Path) -> Path:
    """torch's own module, byte for byte, in a file outside torch."""
    import torch._dynamo.create_parameter_op as module

    target = tmp_path / "copied_create_parameter_op.py"
    shutil.copyfile(str(module.__file__), target)
    return target


SMALL_E2E_PROFILE = "small-e2e"
SMALL_E2E_PLUGIN = f"""
from hypothesis import settings

from conformance import profiles

# ci's settings (derandomized, no database, no deadline) with 30 examples: each E property
# runs a tenth of that, the minimum of 3 (E_EXAMPLES), instead of ci's 10.
profiles.register()
settings.register_profile({SMALL_E2E_PROFILE!r},
                          settings.get_profile(profiles.profile_name("ci")), max_examples=30)
"""


@pytest.mark.process
def test_torch_copied_outside_torch_fails_only_the_placement_clause(
    tmp_path: Path, copied_torch_module: Path
) -> None:
    """Only placement differs from torch's module in place, whose full default run passes
    every E clause (``test_cli.py::test_torch_and_reference_conform``): here the E clauses
    run 3 examples each, derandomized, through a profile passed as a user would.

    With ``-v`` the pytest log shows the Dynamo log of passing tests: E-5 passes with the
    graph break Dynamo reports ('cannot convert ...'). (A quiet passing run prints none: the
    pytest log of ``test_cli.py::test_torch_and_reference_conform``, whose E-5 passes the
    same way.)"""
    (tmp_path / "small_e2e_profile.py").write_text(SMALL_E2E_PLUGIN)
    env = {"PYTHONPATH": os.pathsep.join(
        filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    report = tmp_path / "report.json"
    result = run_cpconf("run", "--impl", str(copied_torch_module), "--layers", "e2e",
                        "--report", str(report), "-n", "0", "--", "-p", "small_e2e_profile",
                        "--hypothesis-profile", SMALL_E2E_PROFILE, "-v",
                        cwd=tmp_path, env=env, timeout=600)
    data = load_report(report)
    rows = statuses(data)[data["implementations"][0]["id"]]
    failed = sorted(cid for cid, status in rows.items() if status == "fail")
    messages = [row.get("message", "")[:500] for row in data["implementations"][0]["clauses"]
                if row["status"] == "fail"]
    assert failed == ["E-7"], messages
    # An explicit --hypothesis-profile is kept as it is; the header and the report say so.
    assert f"profile {SMALL_E2E_PROFILE} (from --hypothesis-profile), seed derandomized" \
        in result.stdout
    assert data["profile"] == f"{SMALL_E2E_PROFILE} (from --hypothesis-profile)"
    assert data["seed"] == "derandomized"
    # E-8 (inductor) is the nightly profile's; this run's is not.
    assert all(rows[cid] == "pass" for cid in E_CLAUSES if cid not in ("E-7", "E-8")), rows
    assert rows["E-8"] == "not-applicable"
    # A SHOULD failure never decides conformance; the message names the fix.
    assert result.returncode == 0, result.stdout[-3000:]
    e7 = next(row for row in data["implementations"][0]["clauses"] if row["id"] == "E-7")
    assert "torch.compiler.disable" in e7["message"]
    # Only the e2e layer ran: the unit clauses say so, and so do the report and the verdict.
    assert data["layers"] == ["e2e"]
    assert rows["C-1"] == "not-applicable"
    c1 = next(row for row in data["implementations"][0]["clauses"] if row["id"] == "C-1")
    assert "layer not selected" in c1["reason"]
    assert "[layers: e2e]" in result.stdout
    pytest_log = (tmp_path / "report.pytest.log").read_text().splitlines()
    section = pytest_log.index(next(line for line in pytest_log
                                    if "- dynamo log (passing tests) -" in line))
    shown = pytest_log[section:]
    assert any("test_switch_in_its_real_caller" in line for line in shown), shown[:20]
    assert any(line.startswith("  graph break: ") and "cannot convert" in line
               for line in shown), shown[:20]


@pytest.mark.process
def test_unknown_layer_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cpconf("run", "--impl", "reference", "--layers", "unit,speed", cwd=tmp_path)
    assert result.returncode == 2
    assert "known: unit, e2e" in result.stderr


def test_a_setting_this_torch_lacks_makes_the_clause_not_applicable() -> None:
    before = _snapshot()
    with pytest.raises(NotApplicable, match=r"no torch\._dynamo\.config\.no_such_setting"), \
            swapped_in(_recording("a", []), config={"no_such_setting": True}):
        pass
    assert _snapshot() == before
