"""Every SPEC form loads; every bad SPEC is a clear usage error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import reference_impl
from conformance import loader
from conformance.implementation import MissingApi
from conformance.loader import ImplementationSpecError, known_implementations, load, load_all


def test_builtin_names() -> None:
    assert load("reference").namespace is reference_impl
    assert load("torch").namespace.__name__ == "torch._dynamo.create_parameter_op"


def test_module_attribute_and_file_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_impls.py").write_text(
        "import reference_impl\n"
        "class Holder:\n"
        "    new_parameter_placeholder = staticmethod(reference_impl.new_parameter_placeholder)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load("my_impls:Holder").has("new_parameter_placeholder")
    (tmp_path / "whole.py").write_text("from reference_impl import *  # noqa: F403\n")
    from_file = load(str(tmp_path / "whole.py"))
    assert from_file.origin.startswith("file ")
    assert from_file.id == "whole.py"
    assert not from_file.missing
    module_name = from_file.namespace.__name__
    assert sys.modules[module_name] is from_file.namespace  # importable again by name
    with pytest.raises(MissingApi, match="has no 'can_convert_to_tracable_parameter'"):
        load("my_impls:Holder").can_convert_to_tracable_parameter  # noqa: B018


def test_entry_point_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "thirdparty_impl-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-impl\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[create_parameter_conformance.implementations]\nthirdparty = reference_impl\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "thirdparty" in known_implementations()
    assert "from thirdparty-impl" in known_implementations()["thirdparty"]
    assert load("thirdparty").namespace is reference_impl


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("no_such.module", "No module named 'no_such'"),
        ("json", "exposes none of the API names"),
        ("reference_impl:nothing_here", "has no attribute 'nothing_here'"),
        ("missing/file.py", "no such file"),
        ("not a spec!", "not a known name"),
        ("", "empty implementation SPEC"),
    ],
)
def test_bad_specs_are_usage_errors(spec: str, reason: str) -> None:
    with pytest.raises(ImplementationSpecError, match=reason) as caught:
        load(spec)
    assert "known implementation names: reference, torch" in str(caught.value)


@pytest.mark.parametrize(("body", "reason"), [
    ("raise RuntimeError('boom at import')", r"raised RuntimeError: boom at import"),
    ("import sys\nsys.exit(3)", r"called sys\.exit\(3\)"),
    ("import time\ntime.sleep(60)",
     r"did not return within 0\.5 s \(stuck in <module> at .*stuck\.py:2\)"),
], ids=["raises", "exits", "hangs"])
@pytest.mark.parametrize("form", ["file", "module"])
def test_a_module_that_does_not_finish_importing_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, reason: str, form: str,
) -> None:
    """Whatever the module does instead of finishing its import, the run gets a usage
    error naming it, and the module is not left half-imported."""
    monkeypatch.setattr(loader, "IMPORT_SECONDS", 0.5)
    (tmp_path / "stuck.py").write_text(body + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = str(tmp_path / "stuck.py") if form == "file" else "stuck"
    with pytest.raises(ImplementationSpecError, match=reason) as caught:
        load(spec)
    assert f"cannot load implementation {spec!r}" in str(caught.value)
    assert not [name for name in sys.modules if name == "stuck" or "_stuck_" in name]


def test_matrix_ids_are_distinct() -> None:
    assert [i.id for i in load_all(["reference", "reference", "torch"])] == [
        "reference", "reference-2", "torch"]
