"""Expectations files: clauses an implementation is known to fail (``--expect``).

A TOML file holds one table per implementation SPEC (as given to ``--impl``),
one sub-table per clause ID::

    [torch.S-10]
    reason = "why it fails"                    # required
    link = "https://github.com/..."            # optional
    torch = ">=2.5"                            # optional PEP 440 range of torch versions

An expected failure does not fail the run; an expected failure that now passes
is ``unexpected-pass`` and does (see :func:`conformance.report.policy.decide`). A
name without a path (``--expect torch``) picks a file shipped in this package.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from conformance import clauses

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SHIPPED_DIR = Path(__file__).resolve().parent
_KEYS = {"reason", "link", "torch"}


class ExpectationsError(ValueError):
    """A malformed expectations file, or one naming an unknown clause: a usage error."""


@dataclass(frozen=True)
class Expectation:
    """One clause known to fail for one implementation."""

    spec: str
    clause_id: str
    reason: str
    link: str = ""
    torch: str = ""

    def applies_to(self, torch_version: str) -> bool:
        return not self.torch or Version(torch_version).public in SpecifierSet(self.torch)

    def describe(self) -> str:
        return self.reason + (f" ({self.link})" if self.link else "")


def shipped() -> list[str]:
    return sorted(path.stem for path in SHIPPED_DIR.glob("*.toml"))


def resolve(given: str) -> Path:
    """The file ``given`` names: a path, else the shipped file of that name."""
    path = Path(given)
    if path.exists() or path.suffix or "/" in given:
        return path
    candidate = SHIPPED_DIR / f"{given}.toml"
    if candidate.exists():
        return candidate
    raise ExpectationsError(f"--expect {given}: no such file, and no shipped expectations of "
                            f"that name (shipped: {', '.join(shipped())})")


def load(given: str) -> list[Expectation]:
    """Every expectation in the file; :class:`ExpectationsError` on any problem."""
    path = resolve(given)
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise ExpectationsError(f"--expect {given}: cannot read {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ExpectationsError(f"--expect {given}: {path} is not valid TOML: {error}") from None
    found = []
    for spec, table in data.items():
        if not isinstance(table, dict):
            raise ExpectationsError(f"{path}: [{spec}] must be a table of clause IDs")
        for clause_id, entry in table.items():
            found.append(_expectation(path, spec, clause_id, entry))
    return found


def _expectation(path: Path, spec: str, clause_id: str, entry: Any) -> Expectation:
    where = f"{path}: [{spec}.{clause_id}]"
    if clause_id not in clauses.BY_ID:
        raise ExpectationsError(f"{where}: unknown clause {clause_id!r}; known: "
                                f"{', '.join(clauses.BY_ID)}")
    if not isinstance(entry, dict):
        raise ExpectationsError(f"{where} must be a table with a reason")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ExpectationsError(f"{where}: unknown keys {sorted(unknown)}; allowed "
                                f"{sorted(_KEYS)}")
    if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
        raise ExpectationsError(f"{where}: a non-empty reason is required")
    for key in ("link", "torch"):
        if not isinstance(entry.get(key, ""), str):
            raise ExpectationsError(f"{where}: {key} must be a string")
    torch_range = entry.get("torch", "")
    try:
        SpecifierSet(torch_range)
    except InvalidSpecifier:
        raise ExpectationsError(f"{where}: torch = {torch_range!r} is not a PEP 440 "
                                "version range") from None
    return Expectation(spec, clause_id, entry["reason"].strip(), entry.get("link", ""),
                       torch_range)


def by_spec(expectations: list[Expectation], torch_version: str) -> dict[str, dict[str, str]]:
    """{SPEC: {clause ID: reason}} for the expectations that apply to this torch."""
    table: dict[str, dict[str, str]] = {}
    for expectation in expectations:
        if expectation.applies_to(torch_version):
            table.setdefault(expectation.spec, {})[expectation.clause_id] = (
                expectation.describe())
    return table
