"""Time slicing: each property run as complete Hypothesis runs sized to its share of the time.

Hypothesis has no wall-clock budget, and interrupting a run half way could
report a false failure (an example cut short) or a false pass. So a property
under ``--cp-stop-at EPOCH`` is run as a series of *complete* Hypothesis runs
("chunks"), each with its own seed and a ``max_examples`` sized from the
measured cost per example to fit the time left; between chunks the clock is
checked. Each property gets a fair share of the time left on its worker, so
the whole session ends close to the stop time (a failure found at the end
may still take its shrinking time).

The first chunk replays the example database; the later ones skip the
explicit and reuse phases. After every chunk the counts go to
:mod:`conformance.fuzzing.progress`.
"""

from __future__ import annotations

import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings

from conformance.batch import CaseCounter
from conformance.database import GuardedDatabase
from conformance.fuzzing.counts import Counts
from conformance.fuzzing.hypothesis_patches import bounded_shrinking, instrumented
from conformance.fuzzing.options import FuzzOptions
from conformance.fuzzing.progress import RunningTotals
from conformance.implementation import Implementation

GROWTH = 4
FIRST_CHUNK = 2  # a short first run measures the cost per example before sizing the next
MAX_CHUNK_SECONDS = 5.0  # longest single run: how often the clock is checked
SHRINK_SECONDS = 20  # Hypothesis shrinks a failure for up to 300 s; a nightly budget can't wait


@dataclass
class WorkerShare:
    """This process's share of the properties: how much time the next one gets."""

    total: int
    workers: int
    started: int = 0

    def slice_end(self, stop_at: float, shared: Path | None = None) -> float:
        """When the property starting now should stop: an equal part of the time left.

        With a directory ``shared`` by all workers, each start leaves a marker
        there, so the share follows how many properties are left in the whole
        session; without one, this process assumes an equal part of them.
        """
        self.started += 1
        left = self.total - self._started_everywhere(shared)
        expected = max(1, math.ceil((left + 1) / max(1, self.workers)))
        now = time.time()
        return now + max(0.0, stop_at - now) / expected

    def _started_everywhere(self, shared: Path | None) -> int:
        if shared is None:
            return self.started * max(1, self.workers)
        markers = shared / "started"
        try:
            markers.mkdir(exist_ok=True)
            (markers / f"{os.getpid()}-{self.started}").touch()
            return sum(1 for _ in markers.iterdir())
        except OSError:
            return self.started * max(1, self.workers)


def run_property(item: pytest.Function, options: FuzzOptions, share: WorkerShare,
                 implementation: Implementation, clauses: tuple[str, ...], batch: int,
                 seed: int | None, counts: Counts, totals: RunningTotals) -> None:
    """Run ``item``'s Hypothesis test chunk after chunk; add what it checked to ``counts``
    and, after each chunk, to this process's ``totals`` (published for ``cpconf fuzz``).

    Raises whatever the failing run raised (its shrunk failure), never
    anything of its own: the clock is only read between complete runs.
    """
    function: Any = item.obj
    testargs = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}
    end = None
    if options.stop_at is not None:
        end = share.slice_end(options.stop_at, options.progress_dir)
    rng = random.Random(f"{seed}:{item.nodeid}")
    chunk = options.examples or FIRST_CHUNK
    first = True
    with instrumented(function, implementation, batch, item.name, options.database) as calls, \
            bounded_shrinking(SHRINK_SECONDS):
        base = function._hypothesis_internal_use_settings
        database = base.database if isinstance(base.database, GuardedDatabase) else None
        if database is not None:
            fetched_before = database.fetched
            calls.probe = lambda: database.fetched - fetched_before
        while True:
            phases = tuple(base.phases) if first else tuple(
                phase for phase in base.phases if phase not in (Phase.explicit, Phase.reuse)
            )
            function._hypothesis_internal_use_settings = settings(
                base, max_examples=chunk, phases=phases
            )
            function._hypothesis_internal_use_seed = rng.getrandbits(64)
            examples_before, cases_before = calls.clock.examples, CaseCounter.drawn
            started = time.monotonic()
            chunk_counts = Counts(runs=1)
            try:
                function(**testargs)
            except BaseException:
                chunk_counts.failures = 1
                raise
            finally:
                chunk_counts.examples = calls.clock.examples - examples_before
                if first:
                    chunk_counts.replayed = calls.replayed
                if calls.clock.first_failure and not counts.first_failure:
                    chunk_counts.first_failure, chunk_counts.first_failure_seconds = (
                        calls.clock.first_failure)
                chunk_counts.cases = (CaseCounter.drawn - cases_before) or chunk_counts.examples
                chunk_counts.seconds = time.monotonic() - started
                counts.add(chunk_counts)
                totals.publish(options.progress_dir, implementation, clauses, chunk_counts,
                               item.nodeid)
            first = False
            if end is None or chunk_counts.examples < chunk // 2:
                break  # a fixed-size run, or Hypothesis exhausted the search space
            per_example = chunk_counts.seconds / max(1, chunk_counts.examples)
            left = end - time.time()
            if left < 2 * per_example:
                break
            # Hypothesis starts with its simplest, cheapest examples, so the measured cost
            # is low at first: let each run grow at most GROWTH times the last.
            fitted = int(min(left * 0.9, MAX_CHUNK_SECONDS) / per_example)
            chunk = max(1, min(fitted, chunk * GROWTH))
