"""Controller side: the counts every property sent, added to the JSON report.

Per clause the report gains examples, cases, seconds, replayed examples and
the first failure; a ``fuzz`` section records the budget and the totals.
"""

from __future__ import annotations

from typing import Any

from conformance.fuzzing.counts import Counts
from conformance.fuzzing.options import FuzzOptions


class FuzzBook:
    """Controller side: per implementation and clause, the counts the properties sent."""

    def __init__(self) -> None:
        self.clauses: dict[tuple[str, str], Counts] = {}
        self.properties = 0
        self.total = Counts()

    def add(self, implementation: str, clauses: tuple[str, ...], counts: Counts) -> None:
        self.properties += 1
        self.total.add(counts)
        for clause in clauses:
            self.clauses.setdefault((implementation, clause), Counts()).add(counts)

    def annotate(self, report: dict[str, Any], options: FuzzOptions,
                 started: float) -> dict[str, Any]:
        """Add examples and cases per clause, and the time budget, to a report."""
        for entry in report["implementations"]:
            for row in entry["clauses"]:
                counts = self.clauses.get((entry["id"], row["id"]))
                if counts is not None:
                    row["examples"] = counts.examples
                    row["cases"] = counts.cases
                    row["fuzz_seconds"] = round(counts.seconds, 3)
                    row["replayed"] = counts.replayed
                    if counts.first_failure:
                        row["first_failure"] = counts.first_failure
                        row["first_failure_seconds"] = round(counts.first_failure_seconds, 3)
        report["fuzz"] = {
            "stop_at": options.stop_at,
            "budget_seconds": (round(options.stop_at - started, 3)
                               if options.stop_at is not None else None),
            "examples_per_run": options.examples,
            "properties": self.properties,
            "examples": self.total.examples,
            "cases": self.total.cases,
            "failures": self.total.failures,
            "replayed": self.total.replayed,
        }
        return report
