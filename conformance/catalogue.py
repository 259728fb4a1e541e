"""The self-validation catalogue: mutants that must be caught, alternates that must pass.

Modules are discovered with :mod:`pkgutil` under :mod:`conformance.mutants`
and :mod:`conformance.alternates` (names starting with ``_`` are skipped).
A mutant declares ``BREAKS`` (the clause ID it targets); an alternate declares
``EXPECTED = "conforms"`` or, for a partial module, ``EXPECTED_MISSING`` (and
optionally ``MAY_BE_MISSING``).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

MUTANTS_PACKAGE = "conformance.mutants"
ALTERNATES_PACKAGE = "conformance.alternates"


@dataclass(frozen=True)
class Entry:
    """One catalogued implementation: ``spec`` is what ``--cp-impl`` takes."""

    spec: str
    name: str
    kind: str  # "mutant" | "alternate"
    summary: str
    breaks: str | None = None
    expected_missing: tuple[str, ...] = ()
    may_be_missing: tuple[str, ...] = ()
    profile: str | None = None  # the only profile that checks ``breaks`` (None: any)

    @property
    def partial(self) -> bool:
        return bool(self.expected_missing)


def _summary(module: ModuleType) -> str:
    doc = (module.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def _modules(package_name: str) -> list[ModuleType]:
    package = importlib.import_module(package_name)
    names = sorted(
        info.name for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )
    return [importlib.import_module(f"{package_name}.{name}") for name in names]


def mutants() -> tuple[Entry, ...]:
    """Every mutant, sorted by module name; a module without ``BREAKS`` raises ``TypeError``."""
    found = []
    for module in _modules(MUTANTS_PACKAGE):
        breaks = getattr(module, "BREAKS", None)
        if not isinstance(breaks, str):
            raise TypeError(f"{module.__name__} has no BREAKS = 'clause ID' constant")
        profile = getattr(module, "PROFILE", None)
        if profile is not None and not isinstance(profile, str):
            raise TypeError(f"{module.__name__}: PROFILE must be a profile name, got {profile!r}")
        found.append(Entry(spec=module.__name__, name=module.__name__.rsplit(".", 1)[1],
                           kind="mutant", summary=_summary(module), breaks=breaks,
                           profile=profile))
    return tuple(found)


def alternates() -> tuple[Entry, ...]:
    """Every alternate; one without ``EXPECTED`` or ``EXPECTED_MISSING`` raises ``TypeError``."""
    found = []
    for module in _modules(ALTERNATES_PACKAGE):
        missing = tuple(getattr(module, "EXPECTED_MISSING", ()))
        if not missing and getattr(module, "EXPECTED", None) != "conforms":
            raise TypeError(f"{module.__name__} declares neither EXPECTED = 'conforms' "
                            "nor EXPECTED_MISSING")
        found.append(Entry(spec=module.__name__, name=module.__name__.rsplit(".", 1)[1],
                           kind="alternate", summary=_summary(module),
                           expected_missing=missing,
                           may_be_missing=tuple(getattr(module, "MAY_BE_MISSING", ()))))
    return tuple(found)


def entries() -> tuple[Entry, ...]:
    """Mutants first, then alternates."""
    return mutants() + alternates()
