"""Which clauses the property modules declare (their ``clause`` markers).

Used by the registry self-tests: every clause needs a property, and a
property may only name known clauses.
"""

from __future__ import annotations

import importlib
import pkgutil
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
