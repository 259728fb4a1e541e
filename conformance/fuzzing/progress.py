"""Fuzz progress while it runs: running totals in files, a line per property.

With ``--cp-progress-dir`` each process writes its running totals per
implementation and clause there after every chunk (:meth:`RunningTotals.publish`), for
``cpconf fuzz`` to sum and print (:func:`read_progress`); the controller
prints a line per finished property (:func:`progress_line`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from conformance.fuzzing.counts import Counts
from conformance.implementation import Implementation


@dataclass
class RunningTotals:
    """This process's running totals per implementation and clause."""

    totals: dict[str, Counts] = field(default_factory=dict)

    def publish(self, progress_dir: Path | None, implementation: Implementation,
                clauses: tuple[str, ...], chunk: Counts, nodeid: str) -> None:
        """Add a chunk to the totals; write them for ``cpconf fuzz`` to show."""
        for clause in clauses:
            self.totals.setdefault(f"{implementation.id}|{clause}", Counts()).add(chunk)
        if progress_dir is None:
            return
        payload = {"current": nodeid,
                   "clauses": {key: value.to_wire() for key, value in self.totals.items()}}
        target = progress_dir / f"{os.getpid()}.json"
        temporary = target.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(payload))
            os.replace(temporary, target)
        except OSError:  # progress is a convenience; never fail a property over it
            pass


def read_progress(directory: Path) -> dict[str, Counts]:
    """Sum the running totals every process wrote into ``directory``."""
    summed: dict[str, Counts] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            payload = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for key, value in payload.get("clauses", {}).items():
            summed.setdefault(key, Counts()).add(Counts.from_wire(value))
    return summed


def progress_line(nodeid: str, clauses: tuple[str, ...], counts: Counts) -> str:
    """One line about a finished property: examples, cases, rates, failures."""
    name = nodeid.rsplit("::", 1)[-1]
    return (
        f"fuzz {' '.join(clauses)} {name}: {counts.examples} examples "
        f"({counts.rate(counts.examples):.0f}/s), {counts.cases} cases "
        f"({counts.rate(counts.cases):.0f}/s), {counts.runs} runs, "
        + (f"{counts.replayed} replayed from the database, " if counts.replayed else "")
        + (f"FAILED (first at example {counts.first_failure}, "
           f"{counts.first_failure_seconds:.2f} s)" if counts.failures else "no failure")
    )
