"""Several cases per Hypothesis example, for throughput (``--cp-batch N``).

A property draws its cases with :func:`draw_cases` and checks them one by one.
With a batch of 1 (the default) that is one case per example; ``cpconf fuzz``
raises the batch so the per-example overhead of Hypothesis is shared by many
cases. A failing batch shrinks like any list: towards the one case that fails.

Seeded recipes (fuzz mode only). Drawing a structured case costs Hypothesis
hundreds of microseconds (shape, dtype, layout, value pool ... each a choice),
far more than checking it. A property may pass a ``recipe(rng) -> case`` (see
:mod:`strategies.recipes`) as well as the strategy: with ``batch > 1`` Hypothesis
then draws just two integers, a count ``n`` (1..batch) and a stream seed ``s``, and
the cases are ``n`` calls of ``recipe(rng)`` on one ``rng = random.Random(s)``, each
case going on from where the one before left the stream. Even a list of seeds costs
Hypothesis tens of microseconds per case (a choice per element); two choices per
example cost almost nothing per case, and one stream per example spares each case
the start of a generator of its own (a Mersenne Twister fills 624 words before its
first draw: a tenth of what checking a small case costs).

The trade-off. Case ``k`` of a batch is a function of ``s`` and ``k``, not of ``k``
alone, so a failure shrinks to the shortest batch that fails: the shrinker lowers
``n`` until the failing case is the last one, the cases before it having passed.
The report notes that case (its repr) as the failing one; the replay blob holds
``n`` and ``s``, so it replays exactly, the passing cases before it included (which
also reproduces a failure that needs calls before it). The failing case itself is
not simplified: ``s`` is shrunk only to a smaller seed whose batch also fails, not
towards a smaller shape or a plainer dtype. With a batch of 1 (``cpconf run``) the
structured strategy is always used, so ordinary runs keep the best shrinking.
"""

from __future__ import annotations

import functools
import random
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.control import cleanup, should_note

T = TypeVar("T")

DEFAULT_BATCH = 1
STRUCTURED_BATCH_LIMIT = 64


class CaseCounter:
    """How many cases :func:`draw_cases` handed out in this process (fuzz statistics)."""

    drawn = 0


def draw_cases(data: st.DataObject, cases: st.SearchStrategy[T], batch: int,
               recipe: Callable[[random.Random], T] | None = None) -> Iterator[T]:
    """Draw ``1..batch`` cases from ``cases`` (exactly one when ``batch`` is 1).

    With ``batch > 1`` and a ``recipe``, draw a count and a stream seed instead and build
    the cases with ``recipe`` from that one stream (same kind of case, far cheaper), a
    chunk of :data:`BUILT_AHEAD` at a time as the property asks for them. Everything is
    drawn here, before the first case.
    """
    if batch <= 1:
        CaseCounter.drawn += 1
        return iter((data.draw(cases, label="case"),))
    if recipe is not None:
        # one draw for both: each ``data.draw`` costs Hypothesis about 0.1 ms
        count, seed = data.draw(_count_and_seed(batch), label="cases, stream seed")
        return _built(recipe, random.Random(seed), count, noting=should_note())
    # A structured case costs Hypothesis about as much to draw as to check, so longer lists
    # gain no throughput, only slower shrinking.
    drawn = data.draw(_batch_of(cases, min(batch, STRUCTURED_BATCH_LIMIT)), label="cases")
    CaseCounter.drawn += len(drawn)
    return iter(drawn)


BUILT_AHEAD = 128
"""Recipe cases built ahead of the property. Building many cases and then checking them
keeps each phase's code and data in the processor's caches: about 17% faster per case than
building each just before its check (a plain loop), and in the benchmark's fuzz run about 4%
faster than chunks of 32 (fuzz mode freezes the collector's view of everything alive before it
starts, so the few hundred objects of a chunk cost its collections next to nothing)."""


def _built(recipe: Callable[[random.Random], T], rng: random.Random, count: int, *,
           noting: bool) -> Iterator[T]:
    """``count`` cases ``recipe(rng)``, built :data:`BUILT_AHEAD` at a time when asked for
    and counted as handed out.

    ``noting`` (the final, minimal example): the case in hand when the example fails is
    added to the error's notes as the failing case (the last one, once the batch is
    shrunk). Hypothesis runs an example's cleanups as it ends, while its error is being
    handled but after ``note()`` has closed."""
    in_hand: list[tuple[int, T]] = []
    if noting:
        cleanup(lambda: _note_failing_case(in_hand, count))
    handed_out = 0
    while handed_out < count:
        in_hand.clear()  # a recipe that fails fails no case
        chunk = [recipe(rng) for _ in range(min(BUILT_AHEAD, count - handed_out))]
        chunk.reverse()
        while chunk:
            case = chunk.pop()  # the chunk holds no case that was handed out
            handed_out += 1
            CaseCounter.drawn += 1
            if noting:
                in_hand[:] = [(handed_out, case)]
            yield case


def _note_failing_case(in_hand: list[tuple[int, Any]], count: int) -> None:
    error = sys.exc_info()[1]
    if error is None or not in_hand:
        return
    number, case = in_hand[0]
    error.add_note(f"failing case (case {number} of {count} built from the stream seed; "
                   f"the cases before it passed): {case!r}")


_STREAM_SEED = st.integers(0, 2**48)


@functools.cache
def _count_and_seed(batch: int) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(_counts(batch), _STREAM_SEED)


@functools.cache
def _counts(batch: int) -> st.SearchStrategy[int]:
    """1..batch, full about three times in four: Hypothesis favours small integers, and a
    short batch spends the per-example overhead (about 2.5 million instructions) on few
    cases. One index choice, monotone in the count where it is below ``batch``, so a
    failing batch still shrinks to the case that fails."""
    return st.sampled_from(tuple(range(1, batch + 1)) + (batch,) * (3 * batch))


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
