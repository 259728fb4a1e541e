"""Several cases per Hypothesis example, for throughput (``--cp-batch N``).

A property draws its cases with :func:`draw_cases` and checks them one by one.
With a batch of 1 (the default) that is one case per example; ``cpconf fuzz``
raises the batch so the per-example overhead of Hypothesis is shared by many
cases. A failing batch shrinks like any list: towards the one case that fails.

Seeded recipes (fuzz mode only). Drawing a structured case costs Hypothesis
hundreds of microseconds (shape, dtype, layout, value pool ... each a choice),
far more than checking it. A property may pass a ``recipe(rng) -> case`` (see
:mod:`strategies.recipes`) as well as the strategy: with ``batch > 1`` Hypothesis
then draws just two integers, a count ``n`` (1..batch) and a first seed ``s``, and
the cases are ``recipe(Random(seed))`` for the consecutive seeds ``s .. s+n-1``.
Even a list of seeds costs Hypothesis tens of microseconds per case (a choice per
element); two choices per example cost almost nothing per case.

The trade-off. A failure still shrinks to ONE case: the shrinker lowers ``n``
until the failing seed is the last one, then lowers ``n`` to 1 while raising
``s`` by as much (Hypothesis's pass for pairs of integers), which keeps that seed.
The replay blob holds ``n`` and ``s``, so it replays exactly. But the failing
case itself is not simplified: a seed is shrunk only to a smaller seed that also
fails, not towards a smaller shape or a plainer dtype. With a batch of 1
(``cpconf run``) the structured strategy is always used, so ordinary runs keep the
best shrinking. A shrunk fuzz example notes the cases it built (their reprs).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.control import should_note

T = TypeVar("T")

DEFAULT_BATCH = 1
STRUCTURED_BATCH_LIMIT = 64


class CaseCounter:
    """How many cases :func:`draw_cases` handed out in this process (fuzz statistics)."""

    drawn = 0


def draw_cases(data: st.DataObject, cases: st.SearchStrategy[T], batch: int,
               recipe: Callable[[random.Random], T] | None = None) -> Iterator[T]:
    """Draw ``1..batch`` cases from ``cases`` (exactly one when ``batch`` is 1).

    With ``batch > 1`` and a ``recipe``, draw ``1..batch`` seeds instead and build
    each case as ``recipe(random.Random(seed))`` (same kind of case, far cheaper), one at
    a time as the property asks for the next: a case is checked and dropped before the
    next one is built, so no batch of cases outlives a young garbage collection (kept
    all at once, they would reach the oldest generation and make every full collection
    of the process, the slowest, come sooner). Everything is drawn here, before the
    first case.
    """
    if batch <= 1:
        CaseCounter.drawn += 1
        return iter((data.draw(cases, label="case"),))
    if recipe is not None:
        count = data.draw(_counts(batch), label="cases")
        first = data.draw(_FIRST_SEED, label="first seed")
        seeds = range(first, first + count)
        if should_note():  # the final (minimal) example: show the cases, not only seeds
            built = list(_built(recipe, seeds))
            note("cases built from the seeds: " + "; ".join(repr(case) for case in built))
            return iter(built)
        return _built(recipe, seeds)
    # A structured case costs Hypothesis about as much to draw as to check, so longer lists
    # gain no throughput, only slower shrinking.
    drawn = data.draw(_batch_of(cases, min(batch, STRUCTURED_BATCH_LIMIT)), label="cases")
    CaseCounter.drawn += len(drawn)
    return iter(drawn)


def _built(recipe: Callable[[random.Random], T], seeds: range) -> Iterator[T]:
    """``recipe(Random(seed))`` for each seed, built when asked for and counted as handed out.

    One generator, reseeded per case: the same stream as a new ``Random(seed)``, without
    making one (a recipe is done with its generator when it returns its case)."""
    rng = random.Random()
    for seed in seeds:
        rng.seed(seed)
        case = recipe(rng)
        CaseCounter.drawn += 1
        yield case


_FIRST_SEED = st.integers(0, 2**48)


@functools.cache
def _counts(batch: int) -> st.SearchStrategy[int]:
    """1..batch, full about half the time: Hypothesis favours small integers, and a short
    batch spends the per-example overhead on few cases. One index choice, monotone in the
    count where it is below ``batch``, so a failure still shrinks to one case."""
    return st.sampled_from(tuple(range(1, batch + 1)) + (batch,) * batch)


_BATCHES: dict[tuple[st.SearchStrategy[Any], int], st.SearchStrategy[Any]] = {}


def _batch_of(cases: st.SearchStrategy[T], batch: int) -> st.SearchStrategy[list[T]]:
    """``lists(cases, 1..batch)``, built once per strategy and size (building is not free)."""
    key = (cases, batch)
    cached = _BATCHES.get(key)
    if cached is None:
        cached = _BATCHES[key] = _full_lists(cases, batch)
    return cached


def _full_lists(cases: st.SearchStrategy[T], batch: int) -> st.SearchStrategy[list[T]]:
    """Lists of 1..batch cases that are mostly near ``batch`` long.

    ``st.lists`` aims at about 6 elements whatever ``max_size`` is, so most
    examples would check a handful of cases; raising the average size spreads
    the per-example cost of Hypothesis over the whole batch. The shrinker
    deletes elements all the same, down to the one failing case.
    """
    try:
        from hypothesis.strategies._internal.collections import ListStrategy
    except ImportError:  # pragma: no cover - a Hypothesis without that internal
        return st.lists(cases, min_size=1, max_size=batch)
    strategy: Any = ListStrategy(cases, min_size=1, max_size=batch)
    strategy.average_size = max(strategy.average_size, 0.8 * batch)
    return strategy  # type: ignore[no-any-return,unused-ignore]
