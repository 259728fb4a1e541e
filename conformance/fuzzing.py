"""Fuzz mode: run each property run after run, with fresh seeds, until its time is up.

Hypothesis has no wall-clock budget, and interrupting a run half way could
report a false failure (an example cut short) or a false pass. So a property
under ``--cp-stop-at EPOCH`` is run as a series of *complete* Hypothesis runs
("chunks"), each with its own seed and a ``max_examples`` sized from the
measured cost per example to fit the time left; between chunks the clock is
checked. Each property gets a fair share of the time left on its worker, so
the whole session ends close to the stop time (a failure found at the end
may still take its shrinking time).

The first chunk replays the example database (``--cp-db``: a directory that
xdist workers share safely, or a Redis server that many machines share, see
:mod:`conformance.database`); its key includes the implementation, so a matrix
does not thrash it. The runner counts the stored examples the database offered
before the first call (``replayed``) and the examples and seconds up to the first
failing one (``first_failure``): a failure replayed from the database is example 1.

Per property the runner counts examples (calls of the test body) and cases
(what :func:`conformance.batch.draw_cases` handed out) and sends them to the
controller in ``user_properties``; with ``--cp-progress-dir`` it also writes
its running totals there after every chunk, for ``cpconf fuzz`` to print.
"""

from __future__ import annotations

import functools
import json
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.errors import UnsatisfiedAssumption
from hypothesis.internal.conjecture import engine
from hypothesis.internal.reflection import function_digest

from conformance.batch import CaseCounter
from conformance.database import GuardedDatabase
from conformance.deadline import example_deadline
from conformance.implementation import Implementation

STATS_KEY = "cpconf_fuzz"
GROWTH = 4
FIRST_CHUNK = 2  # a short first run measures the cost per example before sizing the next
MAX_CHUNK_SECONDS = 5.0  # longest single run: how often the clock is checked
SHRINK_SECONDS = 20  # Hypothesis shrinks a failure for up to 300 s; a nightly budget can't wait
_SETTINGS_ATTRS = (
    "_hypothesis_internal_use_settings",
    "_hypothesis_internal_use_seed",
    "_hypothesis_internal_database_key",
)
_MISSING = object()


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


@dataclass(frozen=True)
class FuzzOptions:
    """The plugin options that switch the runner on."""

    stop_at: float | None = None
    examples: int | None = None
    progress_dir: Path | None = None
    database: bool = False

    @classmethod
    def from_config(cls, config: pytest.Config) -> FuzzOptions:
        stop_at = config.getoption("cp_stop_at")
        examples = config.getoption("cp_examples")
        progress = config.getoption("cp_progress_dir")
        return cls(
            stop_at=float(stop_at) if stop_at is not None else None,
            examples=int(examples) if examples else None,
            progress_dir=Path(progress) if progress else None,
            database=bool(config.getoption("cp_db")) or stop_at is not None,
        )

    @property
    def active(self) -> bool:
        return self.stop_at is not None or self.examples is not None


@dataclass
class WorkerShare:
    """This process's share of the properties: how much time the next one gets."""

    total: int
    workers: int
    started: int = 0
    totals: dict[str, Counts] = field(default_factory=dict)

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
                 seed: int | None, counts: Counts) -> None:
    """Run ``item``'s Hypothesis test chunk after chunk; add what it checked to ``counts``.

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
    with _instrumented(function, implementation, batch, item.name, options.database) as calls, \
            _bounded_shrinking(SHRINK_SECONDS):
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
            examples_before, cases_before = calls.count, CaseCounter.drawn
            started = time.monotonic()
            chunk_counts = Counts(runs=1)
            try:
                function(**testargs)
            except BaseException:
                chunk_counts.failures = 1
                raise
            finally:
                chunk_counts.examples = calls.count - examples_before
                if first:
                    chunk_counts.replayed = calls.replayed
                if calls.first_failure and not counts.first_failure:
                    chunk_counts.first_failure = calls.first_failure
                    chunk_counts.first_failure_seconds = calls.first_failure_at - calls.started
                chunk_counts.cases = (CaseCounter.drawn - cases_before) or chunk_counts.examples
                chunk_counts.seconds = time.monotonic() - started
                counts.add(chunk_counts)
                _publish(options, share, implementation, clauses, chunk_counts, item.nodeid)
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


@dataclass
class _Calls:
    """Calls of one property's test body, and when the first one failed."""

    count: int = 0
    started: float = field(default_factory=time.monotonic)
    probe: Callable[[], int] | None = None  # stored examples fetched so far
    replayed: int = 0  # what the database offered before the first call: the replay phase
    first_failure: int = 0
    first_failure_at: float = 0.0

    def failed(self) -> None:
        if not self.first_failure:
            self.first_failure = self.count
            self.first_failure_at = time.monotonic()


@contextmanager
def _bounded_shrinking(seconds: int) -> Iterator[None]:
    """Cap the time Hypothesis spends shrinking one failure (an engine constant; left as
    it is where a Hypothesis version lacks it). The result is still a failing example,
    only perhaps not the smallest."""
    previous = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if previous is None:
        yield
        return
    engine.MAX_SHRINKING_SECONDS = min(previous, seconds)
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = previous


@contextmanager
def _instrumented(function: Any, implementation: Implementation, batch: int, name: str,
                  database: bool) -> Iterator[_Calls]:
    """Count the test body's calls, bound each example by one timer, key the database."""
    handle = function.hypothesis
    inner = handle.inner_test
    saved = {attr: function.__dict__.get(attr, _MISSING) for attr in _SETTINGS_ATTRS}
    calls = _Calls()
    bound: Callable[[], Any] = (
        functools.partial(example_deadline, implementation.deadline, f"an example of {name}")
        if batch > 1 else nullcontext
    )

    @functools.wraps(inner)
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.count += 1
        if calls.count == 1 and calls.probe is not None:
            calls.replayed = calls.probe()
        try:
            with bound():
                return inner(*args, **kwargs)
        except UnsatisfiedAssumption:
            raise
        except Exception:
            calls.failed()
            raise

    if database:
        # A forced seed (the suite's, for xdist) makes Hypothesis skip the database;
        # an explicit key brings it back, one per implementation.
        function._hypothesis_internal_database_key = (
            function_digest(inner) + b"/" + implementation.id.encode()
        )
    handle.inner_test = counted
    try:
        yield calls
    finally:
        handle.inner_test = inner
        for attr, value in saved.items():
            if value is _MISSING:
                function.__dict__.pop(attr, None)
            else:
                setattr(function, attr, value)


def _publish(options: FuzzOptions, share: WorkerShare, implementation: Implementation,
             clauses: tuple[str, ...], chunk: Counts, nodeid: str) -> None:
    """Add a chunk to this process's totals; write them for ``cpconf fuzz`` to show."""
    for clause in clauses:
        share.totals.setdefault(f"{implementation.id}|{clause}", Counts()).add(chunk)
    if options.progress_dir is None:
        return
    payload = {"current": nodeid,
               "clauses": {key: value.to_wire() for key, value in share.totals.items()}}
    target = options.progress_dir / f"{os.getpid()}.json"
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
