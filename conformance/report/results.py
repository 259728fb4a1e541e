"""Clause-level results: from test outcomes to clause statuses and the JSON report.

A test outcome is evidence about the clauses its ``clause`` marker names. Per
implementation, a clause's status is the first that applies (README, "Statuses"):

``fail``            a test showed a violation of it;
``blocked``         a precondition clause failed, so it could not be judged;
``missing-api``     a test needed a public name the implementation lacks;
``pass``            a test checked it;
``not-applicable``  it cannot or need not run here (the reason is given);
``not-run``         it should have run and did not (deselected, say).

An expectations file then turns ``fail`` into ``expected-fail`` and ``pass``
into ``unexpected-pass`` for the clauses it lists. Nothing time-dependent goes
into the report, so two runs of the same implementation write the same file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from conformance import clauses

SCHEMA_VERSION = 2
STATUSES = (
    "pass", "fail", "expected-fail", "unexpected-pass", "blocked", "missing-api",
    "not-applicable", "not-run",
)


@dataclass(frozen=True)
class TestOutcome:
    """What one test (for one implementation) says about its clauses."""

    __test__ = False  # a record, not a pytest test class

    nodeid: str
    implementation: str
    clauses: tuple[str, ...]
    outcome: str  # passed | failed | blocked | missing-api | not-applicable | not-run
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
    failures: list[TestOutcome] = field(default_factory=list)
    reasons: dict[str, set[str]] = field(default_factory=dict)
    observations: list[str] = field(default_factory=list)

    def note(self, outcome: str, reason: str) -> None:
        self.reasons.setdefault(outcome, set()).add(reason)

    @property
    def status(self) -> str:
        if self.failures:
            return "fail"
        if "blocked" in self.reasons:
            return "blocked"
        if self.missing:
            return "missing-api"
        if self.passed:
            return "pass"
        if "not-applicable" in self.reasons:
            return "not-applicable"
        return "not-run"


class ResultBook:
    """Collects :class:`TestOutcome` s and folds them into clause statuses.

    ``expected`` maps an implementation's SPEC to {clause ID: reason} (an
    expectations file); :meth:`exclude` marks a clause not applicable to the
    whole run (a deselected layer, another shard) when no test ran it.
    """

    def __init__(self, implementations: Iterable[Mapping[str, Any]],
                 expected: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.implementations = [dict(entry) for entry in implementations]
        self.expected = {spec: dict(rows) for spec, rows in (expected or {}).items()}
        self._evidence: dict[tuple[str, str], _ClauseEvidence] = {}
        self._excluded: dict[str, str] = {}

    def add(self, outcome: TestOutcome) -> None:
        counted = outcome.failed_clauses() if outcome.outcome == "failed" else outcome.clauses
        if outcome.outcome == "failed":
            # The test stopped at this failure: its other clauses were not judged by it.
            stopped = (f"{outcome.nodeid.rsplit('::', 1)[-1]} stopped at a failure of "
                       f"{', '.join(counted)}")
            for clause_id in set(outcome.clauses) - set(counted):
                self._evidence.setdefault((outcome.implementation, clause_id),
                                          _ClauseEvidence()).note("not-run", stopped)
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
                evidence.note(outcome.outcome, outcome.message)
            if outcome.observation:
                evidence.observations.append(outcome.observation)

    def exclude(self, clause_id: str, reason: str) -> None:
        """``clause_id`` is not applicable to this run, for ``reason``, unless a test ran it."""
        self._excluded.setdefault(clause_id, reason)

    def has_results(self) -> bool:
        return bool(self._evidence)

    def clause_rows(self, implementation: str, spec: str | None = None) -> list[dict[str, Any]]:
        expected = self.expected.get(spec if spec is not None else implementation, {})
        rows = []
        for clause in clauses.CLAUSES:
            evidence = self._evidence.get((implementation, clause.id), _ClauseEvidence())
            status = evidence.status
            row: dict[str, Any] = {
                "id": clause.id,
                "level": clause.level,
                "title": clause.title,
                "status": status,
            }
            if status == "not-run" and clause.id in self._excluded:
                row.update(status="not-applicable", reason=self._excluded[clause.id])
            elif status in ("blocked", "not-applicable", "not-run"):
                reasons = sorted(r for r in evidence.reasons.get(status, ()) if r)
                if reasons:
                    row["reason"] = "; ".join(reasons)
            if clause.id in expected and status in ("fail", "pass"):
                row["status"] = "expected-fail" if status == "fail" else "unexpected-pass"
                row["expected_reason"] = expected[clause.id]
            if evidence.observations:
                row["observation"] = sorted(set(evidence.observations))[0]
            failures = sorted(evidence.failures,
                              key=lambda outcome: (outcome.nodeid, outcome.message,
                                                   outcome.reproduce))
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
                {**entry, "clauses": self.clause_rows(entry["id"], entry.get("spec"))}
                for entry in self.implementations
            ],
        }


def write(report: Mapping[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")


def prepare_outputs(paths: dict[str, Path | None]) -> str | None:
    """Make the folder of each output file given (``{option: path}``); None when every
    one is ready, else the usage error to print: a path that is a folder, or a folder that
    cannot be made. Called after the other usage checks, so a refused command makes none."""
    for option, path in paths.items():
        if path is None:
            continue
        if path.is_dir():
            return f"{option}: {path} is a folder; give the path of a file"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return f"{option}: cannot make the folder {path.parent}: {error.strerror or error}"
    return None
