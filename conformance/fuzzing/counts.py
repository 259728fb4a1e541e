"""What fuzz mode counts per property: examples, cases, seconds, runs, failures.

Examples are calls of the test body, cases what
:func:`conformance.batch.draw_cases` handed out. A worker sends a property's
:class:`Counts` to the controller in ``user_properties`` under
:data:`STATS_KEY`; sums of them feed the progress files, the progress lines
and the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

STATS_KEY = "cpconf_fuzz"


@dataclass
class Counts:
    """Examples, cases, seconds, runs and failures of one property (or a sum of them)."""

    examples: int = 0
    cases: int = 0
    seconds: float = 0.0
    runs: int = 0
    failures: int = 0
    replayed: int = 0  # stored examples the database handed out (the first run replays them)
    first_failure: int = 0  # examples run up to and including the first failing one; 0: none
    first_failure_seconds: float = 0.0  # from the property's start to that failing example

    def add(self, other: Counts) -> None:
        self.examples += other.examples
        self.cases += other.cases
        self.seconds += other.seconds
        self.runs += other.runs
        self.failures += other.failures
        self.replayed += other.replayed
        if other.first_failure and (not self.first_failure
                                    or other.first_failure_seconds < self.first_failure_seconds):
            self.first_failure = other.first_failure
            self.first_failure_seconds = other.first_failure_seconds

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Counts:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})

    def rate(self, what: int) -> float:
        return what / self.seconds if self.seconds > 0 else 0.0
