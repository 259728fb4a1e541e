"""A line per clause family as its properties finish: ``cpconf run``'s quiet output.

Registered by the command (not by the ``pytest11`` entry point) in the process
that runs pytest, the xdist controller when there are workers. It learns which
properties belong to which family from the collected node IDs (through their
``clause`` markers, :mod:`conformance.coverage`) and prints one line when the
last of a family reports, to the stream it was given (pytest's own output goes
to a log file meanwhile).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

import pytest

from conformance.clauses.model import FAMILIES
from conformance.coverage import property_target
from conformance.plugin import SUITE_KEY


class FamilyProgress:
    """Counts finished properties per clause family; prints a line per finished family."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total: Counter[str] = Counter()
        self.outcomes: dict[str, Counter[str]] = {}
        self._finished: set[str] = set()
        self._family_of: dict[str, str] = {}

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def _expect(self, nodeids: Iterable[str]) -> None:
        if self.total:
            return  # every xdist worker collects the same items: count them once
        for nodeid in nodeids:
            found = property_target(nodeid)
            if found is not None and found[1]:
                family = found[1][0].split("-", 1)[0]
                self._family_of[nodeid] = family
                self.total[family] += 1

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        suite = session.config.stash.get(SUITE_KEY, None)
        if suite is not None:
            for line in suite.header_lines():
                self._write(line)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._expect(item.nodeid for item in session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self._expect(ids)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        family = self._family_of.get(report.nodeid)
        if family is None or report.nodeid in self._finished:
            return
        failed = report.failed
        if report.when == "call" or report.skipped or failed:
            word = "failed" if failed else "skipped" if report.skipped else "passed"
            self.outcomes.setdefault(family, Counter())[word] += 1
            self._finished.add(report.nodeid)
            done = sum(self.outcomes[family].values())
            if done == self.total[family]:
                tally = ", ".join(f"{count} {word}"
                                  for word, count in sorted(self.outcomes[family].items()))
                self._write(f"  {family}  {FAMILIES[family]}: {done} properties ({tally})")
