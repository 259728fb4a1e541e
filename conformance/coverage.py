"""Which clauses the property modules declare (their ``clause`` markers).

Used by the registry self-tests: every clause needs a property, and a
property may only name known clauses.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from types import ModuleType

import conformance.properties

PROPERTY_PACKAGE = conformance.properties.__name__


def property_modules() -> list[ModuleType]:
    names = sorted(
        info.name for info in pkgutil.iter_modules(conformance.properties.__path__)
        if info.name.startswith("test_")
    )
    return [importlib.import_module(f"{PROPERTY_PACKAGE}.{name}") for name in names]


def _marked_ids(target: object) -> list[str]:
    ids: list[str] = []
    for mark in getattr(target, "pytestmark", []):
        if getattr(mark, "name", None) == "clause":
            ids.extend(str(arg) for arg in mark.args)
    return ids


def declared_clauses() -> dict[str, list[str]]:
    """{clause id: [module.test, ...]} over every property test."""
    found: dict[str, list[str]] = {}
    for module in property_modules():
        module_ids = _marked_ids(module)
        for name, value in vars(module).items():
            if not name.startswith(("test_", "Test")):
                continue
            for clause_id in module_ids + _marked_ids(value):
                found.setdefault(clause_id, []).append(f"{module.__name__}.{name}")
    return found


@functools.lru_cache(maxsize=1)
def _clauses_by_test() -> dict[tuple[str, str], tuple[str, ...]]:
    by_test: dict[tuple[str, str], tuple[str, ...]] = {}
    for module in property_modules():
        module_ids = _marked_ids(module)
        for name, value in vars(module).items():
            if name.startswith(("test_", "Test")):
                ids = tuple(module_ids + _marked_ids(value))
                if ids:
                    by_test[(module.__name__, name)] = ids
    return by_test


def property_target(nodeid: str) -> tuple[str, tuple[str, ...], str] | None:
    """For a property's node ID: its ``module::test[param]`` target, its clauses and
    its parameter ID; None for any other test."""
    match = re.fullmatch(r"(?P<path>[^:]*)::(?P<test>\w+)(\[(?P<param>.*)\])?", nodeid)
    if match is None:
        return None
    stem = re.sub(r"\.py$", "", match["path"].replace("\\", "/").rsplit("/", 1)[-1])
    # Under --pyargs the file part can be empty: then the test name alone must be unique.
    candidates = [
        (module, ids) for (module, test), ids in _clauses_by_test().items()
        if test == match["test"] and (not stem or module.endswith(f".{stem}"))
    ]
    if len(candidates) != 1:
        return None
    module, ids = candidates[0]
    param = match["param"] or ""
    target = f"{module}::{match['test']}" + (f"[{param}]" if param else "")
    return target, ids, param


def clauses_by_property() -> dict[str, tuple[str, ...]]:
    """{``module::test`` (a property function or class): its clause IDs}, sorted by name."""
    return {f"{module}::{test}": ids for (module, test), ids in sorted(_clauses_by_test().items())}
