"""Clause-level results: from test outcomes to the JSON report and the table.

A test outcome is evidence about the clauses its ``clause`` marker names. Per
implementation, a clause is ``fail`` when any test showed a violation of it,
else ``missing-api`` when a test needed a name the implementation lacks, else
``pass`` when a test checked it, else ``skipped``. The JSON schema is
documented in README.md ("Report schema"); nothing time-dependent goes into it,
so two runs under the ``ci`` profile write the same file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from conformance import clauses

SCHEMA_VERSION = 1
STATUSES = ("pass", "fail", "missing-api", "skipped")
_TABLE_WORD = {"pass": "pass", "fail": "FAIL", "missing-api": "missing-api", "skipped": "skipped"}


@dataclass(frozen=True)
class TestOutcome:
    """What one test (for one implementation) says about its clauses."""

    __test__ = False  # a record, not a pytest test class

    nodeid: str
    implementation: str
    clauses: tuple[str, ...]
    outcome: str  # passed | failed | skipped | missing-api
    violated: tuple[str, ...] = ()
    message: str = ""
    example: str = ""
    reproduce: str = ""
    observation: str = ""

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> TestOutcome:
        values = dict(data)
        values["clauses"] = tuple(values["clauses"])
        values["violated"] = tuple(values["violated"])
        return cls(**values)

    def failed_clauses(self) -> tuple[str, ...]:
        """The clauses this failure counts against: the violated ones if known, else all."""
        return self.violated or self.clauses


@dataclass
class _ClauseEvidence:
    passed: int = 0
    missing: int = 0
    skipped: int = 0
    failures: list[TestOutcome] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.failures:
            return "fail"
        if self.missing:
            return "missing-api"
        if self.passed:
            return "pass"
        return "skipped"


class ResultBook:
    """Collects :class:`TestOutcome` s and folds them into clause statuses."""

    def __init__(self, implementations: Iterable[Mapping[str, str]]) -> None:
        self.implementations = [dict(entry) for entry in implementations]
        self._evidence: dict[tuple[str, str], _ClauseEvidence] = {}

    def add(self, outcome: TestOutcome) -> None:
        counted = outcome.failed_clauses() if outcome.outcome == "failed" else outcome.clauses
        for clause_id in counted:
            evidence = self._evidence.setdefault(
                (outcome.implementation, clause_id), _ClauseEvidence()
            )
            if outcome.outcome == "passed":
                evidence.passed += 1
            elif outcome.outcome == "failed":
                evidence.failures.append(outcome)
            elif outcome.outcome == "missing-api":
                evidence.missing += 1
            else:
                evidence.skipped += 1
            if outcome.observation:
                evidence.observations.append(outcome.observation)

    def has_results(self) -> bool:
        return bool(self._evidence)

    def clause_rows(self, implementation: str) -> list[dict[str, Any]]:
        rows = []
        for clause in clauses.CLAUSES:
            evidence = self._evidence.get((implementation, clause.id), _ClauseEvidence())
            row: dict[str, Any] = {
                "id": clause.id,
                "level": clause.level,
                "title": clause.title,
                "status": evidence.status,
            }
            if evidence.observations:
                row["observation"] = sorted(set(evidence.observations))[0]
            failures = sorted(evidence.failures, key=lambda outcome: outcome.nodeid)
            if failures:
                first = failures[0]
                row.update(message=first.message, example=first.example, reproduce=first.reproduce)
                row["failures"] = [
                    {
                        "test": failure.nodeid,
                        "message": failure.message,
                        "example": failure.example,
                        "reproduce": failure.reproduce,
                    }
                    for failure in failures
                ]
            rows.append(row)
        return rows

    def to_json(self, meta: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            **meta,
            "implementations": [
                {**entry, "clauses": self.clause_rows(entry["id"])}
                for entry in self.implementations
            ],
        }


def write(report: Mapping[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")


def counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    tally = dict.fromkeys(STATUSES, 0)
    for row in rows:
        tally[row["status"]] += 1
    return tally


def conforms(report: Mapping[str, Any]) -> bool:
    """True when every MUST clause passed (or was skipped) for every implementation."""
    return all(
        row["status"] in ("pass", "skipped")
        for entry in report["implementations"]
        for row in entry["clauses"]
        if row["level"] == "MUST"
    )


def verdict(report: Mapping[str, Any]) -> str:
    """One line per implementation: conforms or not, naming the clauses that decide it."""
    lines = []
    for entry in report["implementations"]:
        broken = [f"{row['id']} {row['status']}" for row in entry["clauses"]
                  if row["level"] == "MUST" and row["status"] not in ("pass", "skipped")]
        advisory = [row["id"] for row in entry["clauses"]
                    if row["level"] in ("SHOULD", "MAY") and row["status"] == "fail"]
        if broken:
            lines.append(f"{entry['id']}: does NOT conform (MUST: {', '.join(broken)})")
        else:
            note = f"; fails SHOULD/MAY {', '.join(advisory)}" if advisory else ""
            lines.append(f"{entry['id']}: conforms (every MUST clause passes{note})")
    return "\n".join(lines)


def render_table(report: Mapping[str, Any]) -> str:
    """One row per clause, one column per implementation, then counts."""
    entries = report["implementations"]
    header = ["clause", "level", "title", *(entry["id"] for entry in entries)]
    body = [
        [clause.id, clause.level, clause.title]
        + [_cell(clause.level, _status_of(entry, clause.id)) for entry in entries]
        for clause in clauses.CLAUSES
    ]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
             for line in [header, *body]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    for entry in entries:
        tally = counts(entry["clauses"])
        summary = ", ".join(f"{tally[status]} {_TABLE_WORD[status]}" for status in STATUSES)
        lines.append(f"{entry['id']}: {summary}")
    for entry in entries:
        lines += [
            f"{row['id']} ({entry['id']}): {row['observation']}"
            for row in entry["clauses"]
            if row.get("observation")
        ]
    return "\n".join(lines)


def _cell(level: str, status: str) -> str:
    """INFO rows record behaviour; 'info' says so where 'pass' would suggest a verdict."""
    return "info" if level == "INFO" and status == "pass" else _TABLE_WORD[status]


def _status_of(entry: Mapping[str, Any], clause_id: str) -> str:
    for row in entry["clauses"]:
        if row["id"] == clause_id:
            return str(row["status"])
    return "skipped"


def render_failures(report: Mapping[str, Any]) -> str:
    """Every failing clause: what was expected, what happened, the example, the command."""
    blocks = []
    for entry in report["implementations"]:
        for row in entry["clauses"]:
            if row["status"] != "fail":
                continue
            block = [f"{row['id']} ({row['level']}) {row['title']} -- {entry['id']}",
                     f"  {row['message']}"]
            if row.get("example"):
                block.append("  example:")
                block.extend(f"    {line}" for line in row["example"].splitlines())
            block.append(f"  reproduce: {row['reproduce']}")
            blocks.append("\n".join(block))
    return "\n\n".join(blocks)
