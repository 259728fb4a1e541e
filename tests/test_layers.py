"""The layers import one way only (README, "Architecture").

reference_impl (torch and the standard library) <- strategies <- the contract
<- the engine <- the CLI. A module may import its own layer and those below.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ENGINE = ("active", "suite", "plugin", "profiles", "report", "outcomes", "fuzzing",
          "killclock", "failure_clock", "progress", "expectations", "hypothesis_internals",
          "catalogue", "coverage", "global_state", "database", "sharding", "merge", "replay")
CLI = ("cli", "commands")


def layer_of(module: str) -> int:
    """0 reference_impl, 1 strategies, 2 contract, 3 engine, 4 CLI; -1 outside."""
    parts = module.split(".")
    if parts[0] == "reference_impl":
        return 0
    if parts[0] == "strategies":
        return 1
    if parts[0] != "conformance":
        return -1
    if len(parts) > 1 and parts[1] in CLI:
        return 4
    if len(parts) > 1 and parts[1] in ENGINE:
        return 3
    return 2


def _module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.AST, module: str) -> list[tuple[str, bool]]:
    """(imported module, inside a function) for every import of this project's code."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((alias.name, inside) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.append((child.module, inside))
                found.extend((f"{child.module}.{alias.name}", inside) for alias in child.names)
            visit(child, inside)

    visit(tree, False)
    return [(name, inside) for name, inside in found if layer_of(name) >= 0]


def _sources() -> list[Path]:
    return sorted(path for package in ("reference_impl", "strategies", "conformance")
                  for path in (ROOT / package).rglob("*.py"))


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for path in _sources():
        module = _module_name(path)
        for imported, _ in _imports(ast.parse(path.read_text()), module):
            if layer_of(imported) > layer_of(module):
                upward.append(f"{module} imports {imported}")
    assert not upward, "\n".join(upward)


def test_no_function_level_import_of_the_project_dodges_a_cycle() -> None:
    """The allowed lazy imports keep torch out of runs that need none: the plugin's (an
    unrelated pytest run) and the CLI's device check (a command that names no device)."""
    allowed = {("conformance.plugin", "conformance.active"),
               ("conformance.plugin", "conformance.suite"),
               ("conformance.commands.pytest_session", "strategies.devices")}
    lazy = [(module, imported) for path in _sources()
            for module in [_module_name(path)]
            for imported, inside in _imports(ast.parse(path.read_text()), module)
            if inside and (module, imported.rsplit(".", 1)[0]) not in allowed
            and (module, imported) not in allowed]
    assert not lazy, lazy


def test_the_layer_check_sees_an_upward_import() -> None:
    tree = ast.parse("def f():\n    from conformance.report.rendering import verdict\n")
    assert _imports(tree, "strategies.x") == [
        ("conformance.report.rendering", True), ("conformance.report.rendering.verdict", True)]
    assert layer_of("conformance.report.rendering") > layer_of("strategies.x")


STRATEGIES_ALONE = """
import random, sys
sys.modules["conformance"] = None  # any import of it now fails
import torch
import strategies, strategies.interleavings, strategies.recipes
from hypothesis import given, settings

kinds = {
    "shapes": strategies.shapes(),
    "dtypes": strategies.dtypes("cpu"),
    "devices": strategies.devices(["cpu", "meta"]),
    "placeholder_requests": strategies.placeholder_requests(["cpu"]),
    "sources": strategies.sources("cpu", torch.float32),
    "upstream_gradients": strategies.upstream_gradients(torch.zeros(2, 3)),
    "grad_modes": strategies.grad_modes(),
    "interleavings": strategies.interleavings.interleavings(),
}
for name, strategy in kinds.items():
    drawn = []

    @settings(max_examples=3, database=None)
    @given(strategy)
    def draw(value):
        drawn.append(value)

    draw()
    assert drawn, name
rng = random.Random(0)
info = strategies.recipes.dtype_recipe(rng, "cpu")
assert strategies.recipes.source_recipe(rng, "cpu", info.dtype, max_elements=8) is not None
assert not any(name.split(".")[0] == "conformance" and module is not None
               for name, module in sys.modules.items())
print("drew", ", ".join(kinds), "and a recipe")
"""


@pytest.mark.process
def test_strategies_work_with_conformance_absent() -> None:
    """One strategy of each kind draws in a process where ``conformance`` cannot be imported."""
    result = subprocess.run([sys.executable, "-c", STRATEGIES_ALONE], capture_output=True,
                            text=True, timeout=300, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("drew shapes, dtypes")
