"""Clause-level results: from test outcomes to the JSON report and the table.

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
_TABLE_WORD = {
    "pass": "pass", "fail": "FAIL", "expected-fail": "xfail", "unexpected-pass": "XPASS",
    "blocked": "blocked", "missing-api": "missing-api", "not-applicable": "n/a",
    "not-run": "NOT-RUN",
}
MUST_OK = ("pass", "expected-fail", "not-applicable")
"""Statuses of a MUST clause that let an implementation conform."""


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


def counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    tally = dict.fromkeys(STATUSES, 0)
    for row in rows:
        tally[row["status"]] += 1
    return tally


def conforms(report: Mapping[str, Any]) -> bool:
    """True when :func:`decide` says every implementation conforms."""
    return all(decide(entry).conforms for entry in report["implementations"])


def verdict(report: Mapping[str, Any]) -> str:
    """One line per implementation: conforms or not, naming the clauses that decide it
    and the test layers the verdict covers."""
    lines = []
    covered = report.get("layers")
    scope = f" [layers: {', '.join(covered)}]" if covered else ""
    for entry in report["implementations"]:
        decision = decide(entry)
        notes = []
        if decision.expected:
            notes.append(f"expected failures {', '.join(decision.expected)}")
        if decision.advisory:
            notes.append(f"fails SHOULD/MAY {', '.join(decision.advisory)}")
        note = "".join(f"; {text}" for text in notes)
        if decision.conforms:
            lines.append(f"{entry['id']}: conforms (every applicable MUST clause passes{note})"
                         f"{scope}")
        else:
            lines.append(f"{entry['id']}: does NOT conform ({_grouped(decision.deciding)}{note})"
                         f"{scope}")
    return "\n".join(lines)


def _grouped(deciding: Iterable[str]) -> str:
    """"A-1 fail, A-2 blocked, P-1 blocked" -> "fail A-1; blocked A-2, P-1"."""
    by_status: dict[str, list[str]] = {}
    for item in deciding:
        clause_id, status = item.split(" ", 1)
        by_status.setdefault(status, []).append(clause_id)
    return "; ".join(f"{status} {', '.join(ids)}" for status, ids in by_status.items())


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
        summary = ", ".join(f"{tally[status]} {_TABLE_WORD[status]}" for status in STATUSES
                            if tally[status])
        lines.append(f"{entry['id']}: {summary}")
    for entry in entries:
        lines += [f"{row['id']} ({entry['id']}): {row['observation']}"
                  for row in entry["clauses"] if row.get("observation")]
        lines += [f"{row['id']} ({entry['id']}) {row['status']}: expected to fail: "
                  f"{row['expected_reason']}"
                  for row in entry["clauses"] if row.get("expected_reason")]
        # One line per (status, reason): twenty clauses blocked by A-1 are one root cause.
        grouped: dict[tuple[str, str], list[str]] = {}
        for row in entry["clauses"]:
            if row.get("reason"):
                grouped.setdefault((row["status"], row["reason"]), []).append(row["id"])
        lines += [f"{', '.join(ids)} ({entry['id']}) {status}: {reason}"
                  for (status, reason), ids in grouped.items()]
    return "\n".join(lines)


def _cell(level: str, status: str) -> str:
    """INFO rows record behaviour; 'info' says so where 'pass' would suggest a verdict."""
    return "info" if level == "INFO" and status == "pass" else _TABLE_WORD[status]


def _status_of(entry: Mapping[str, Any], clause_id: str) -> str:
    for row in entry["clauses"]:
        if row["id"] == clause_id:
            return str(row["status"])
    return "not-run"


def render_failures(report: Mapping[str, Any]) -> str:
    """Every failing clause: what was expected, what happened, and for each distinct bug
    its example and the command that reproduces it."""
    blocks = []
    for entry in report["implementations"]:
        for row in entry["clauses"]:
            if row["status"] != "fail":
                continue
            block = [f"{row['id']} ({row['level']}) {row['title']} -- {entry['id']}"]
            failures = row.get("failures") or [row]
            for number, failure in enumerate(failures, 1):
                if len(failures) > 1:
                    block.append(f"  bug {number} of {len(failures)} ({failure['test']}):")
                block.append(f"  {failure['message']}")
                if failure.get("example"):
                    block.append("  example:")
                    block.extend(f"    {line}" for line in failure["example"].splitlines())
                block.append(f"  reproduce: {failure['reproduce']}")
            blocks.append("\n".join(block))
    return "\n\n".join(blocks)
