"""The report in words: the verdict line, the clause table and the failures.

Each renderer reads a JSON report (:meth:`conformance.report.results.ResultBook.to_json`)
and returns text; whether an implementation conforms is the policy's answer
(:func:`conformance.report.policy.decide`), never decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conformance import clauses
from conformance.report.policy import decide
from conformance.report.results import STATUSES

_TABLE_WORD = {
    "pass": "pass", "fail": "FAIL", "expected-fail": "xfail", "unexpected-pass": "XPASS",
    "blocked": "blocked", "missing-api": "missing-api", "not-applicable": "n/a",
    "not-run": "NOT-RUN",
}


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


def counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    tally = dict.fromkeys(STATUSES, 0)
    for row in rows:
        tally[row["status"]] += 1
    return tally


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
