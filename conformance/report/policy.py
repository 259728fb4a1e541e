"""The verdict policy: whether an implementation conforms, from its clause rows.

:func:`decide` reads the statuses :mod:`conformance.report.results` wrote and
the clause levels of the registry (``Clause.decides_conformance``); the words
that print its answer are in :mod:`conformance.report.rendering`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance import clauses

MUST_OK = ("pass", "expected-fail", "not-applicable")
"""Statuses of a MUST clause that let an implementation conform."""


@dataclass(frozen=True)
class Decision:
    """The verdict policy's answer for one implementation (see :func:`decide`)."""

    implementation: str
    conforms: bool
    deciding: tuple[str, ...]  # "S-1 missing-api", ...: why it does not conform
    advisory: tuple[str, ...]  # failing SHOULD/MAY clauses
    expected: tuple[str, ...]  # clauses that failed as the expectations file says


def decide(entry: Mapping[str, Any]) -> Decision:
    """The one verdict policy: an implementation conforms when every clause that
    decides conformance (``Clause.decides_conformance``: the MUST level) passed,
    failed as expected or is not applicable here, and no expected failure now
    passes (``unexpected-pass``, at any level: the expectations file stays true).
    A MUST clause that was not run, blocked or missing API does not conform."""
    deciding: list[str] = []
    advisory: list[str] = []
    expected: list[str] = []
    for row in entry["clauses"]:
        clause = clauses.BY_ID.get(row["id"])
        status = row["status"]
        decides = clause.decides_conformance if clause is not None else row["level"] == "MUST"
        if status == "unexpected-pass" or (decides and status not in MUST_OK):
            deciding.append(f"{row['id']} {status}")
        elif status == "expected-fail":
            expected.append(row["id"])
        elif status == "fail" and row["level"] in ("SHOULD", "MAY"):
            advisory.append(row["id"])
    return Decision(str(entry["id"]), not deciding, tuple(deciding), tuple(advisory),
                    tuple(expected))


def conforms(report: Mapping[str, Any]) -> bool:
    """True when :func:`decide` says every implementation conforms."""
    return all(decide(entry).conforms for entry in report["implementations"])
