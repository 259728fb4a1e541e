"""Tensor shapes for placeholders and sources (P-2, P-3, P-5; C-2).

Shapes cover 0-d, zero-size extents and ranks up to 8, with those edge cases drawn often.
The product of the non-zero extents never exceeds ``max_elements``, so zero-size shapes
stay small too (their views and expansions remain cheap). Shrinking goes to ``()``, then
to rank 1 with extent 1.

Size bands
----------
Behaviour that changes with the size of a request (an allocation threshold, a
large-tensor path, an extent or stride that overflows int32) needs shapes far beyond
``max_elements``. Given ``large_elements`` (above ``max_elements``), about one shape in
:data:`LARGE_ODDS` comes from the *large band*: rank 1 .. ``min(max_rank, 6)``, one
*big* extent at a drawn position, usually a boundary of :data:`SIZE_BOUNDARIES` (65,
257, 2**16 + 1, 2**22, 2**31 - 1, 2**31, 2**31 + 1, 2**32 + 1, 2**40, those within
``large_elements``) and otherwise any integer above ``max_elements``, and the other
extents spread over what is left of ``large_elements``, so a large shape has more than
``max_elements`` elements and at most ``large_elements``. A big extent that is not the
first dim makes the strides before it at least as large (above 2**31 with a big extent
of 2**31 + 1). The band is an integer drawn first, 0 for the small band, so a failure
shrinks to a small shape when one fails too, and inside the large band towards the first
dim, the smallest boundary and extents of 1.

How large is free depends on the device (:func:`large_budget`): on ``meta`` nothing is
allocated, so :data:`LARGE_ON_META` (2**40 elements); with real data
:data:`LARGE_WITH_DATA` (2**22 elements: a float64 tensor of 32 MiB).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from hypothesis import strategies as st

from strategies.reuse import integers, reused

__all__ = [
    "DEFAULT_MAX_ELEMENTS",
    "LARGE_ODDS",
    "LARGE_ON_META",
    "LARGE_WITH_DATA",
    "MAX_RANK",
    "SIZE_BOUNDARIES",
    "Shape",
    "boundary_shapes",
    "contiguous_strides",
    "large_budget",
    "numel",
    "shapes",
]

Shape = tuple[int, ...]

MAX_RANK = 8
DEFAULT_MAX_ELEMENTS = 64

LARGE_ON_META = 2**40
"""Large-band budget on ``meta``: metadata only, any size costs nothing."""
LARGE_WITH_DATA = 2**22
"""Large-band budget where tensors hold bytes (``cpu``): 32 MiB as float64."""
LARGE_ODDS = 10
"""About one shape in this many comes from the large band (when one is asked for)."""
LARGE_MAX_RANK = 6
SIZE_BOUNDARIES: tuple[int, ...] = (
    65, 257, 2**16 + 1, 2**22, 2**31 - 1, 2**31, 2**31 + 1, 2**32 + 1, 2**40,
)
"""Extents where size-dependent code changes path: just past the small band, past a
typical allocation threshold, the int32 limit on either side, past uint32."""


def large_budget(device: str) -> int:
    """The large band's element budget on ``device``: :data:`LARGE_ON_META` on ``meta``,
    :data:`LARGE_WITH_DATA` elsewhere."""
    return LARGE_ON_META if str(device).startswith("meta") else LARGE_WITH_DATA


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """The strides ``torch.empty(shape)`` has (an extent of 0 or 1 counts as 1)."""
    strides: list[int] = []
    running = 1
    for extent in reversed(shape):
        strides.append(running)
        running *= max(extent, 1)
    return tuple(reversed(strides))


def numel(shape: Sequence[int]) -> int:
    """The number of elements of ``shape``."""
    return math.prod(shape)  # one C call: a seeded recipe asks twice per case


@reused  # one strategy object per argument list: validated once, not on every draw
@st.composite
def shapes(
    draw: st.DrawFn,
    *,
    min_rank: int = 0,
    max_rank: int = MAX_RANK,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    max_side: int | None = None,
    allow_zero: bool = True,
    large_elements: int | None = None,
) -> Shape:
    """Draw a shape of rank ``min_rank..max_rank`` whose non-zero extents multiply to at most
    ``max_elements``; each extent is at most ``max_side`` (default: no limit but the budget).

    With ``allow_zero`` about one shape in four of rank >= 1 has one zero extent. With
    ``large_elements`` (> ``max_elements``) about one shape in :data:`LARGE_ODDS` comes
    from the large band instead: more than ``max_elements`` and at most ``large_elements``
    elements, no zero extent (see the module docstring).
    """
    if not 0 <= min_rank <= max_rank:
        raise ValueError(f"need 0 <= min_rank <= max_rank, got {min_rank}, {max_rank}")
    if max_elements < 1:
        raise ValueError(f"max_elements must be >= 1, got {max_elements}")
    if large_elements is not None and large_elements <= max_elements:
        raise ValueError(f"large_elements must exceed max_elements ({max_elements}), "
                         f"got {large_elements}")
    if (large_elements is not None and max_rank >= 1 and min_rank <= LARGE_MAX_RANK
            and (max_side is None or max_side > max_elements)
            and draw(_LARGE_COIN) == LARGE_ODDS - 1):
        return draw(_large_shapes(min_rank, max_rank, max_elements, large_elements, max_side))
    rank = draw(_ranks(min_rank, max_rank))
    zero_at = None
    if allow_zero and rank > 0 and draw(_ZERO_COIN) == 3:
        zero_at = draw(integers(0, rank - 1))
    return build_shape(rank, zero_at, max_elements, max_side,
                       lambda top: draw(integers(1, top)))


_LARGE_COIN = st.integers(0, LARGE_ODDS - 1)
_ZERO_COIN = st.integers(0, 3)


@functools.lru_cache(maxsize=256)
def _ranks(min_rank: int, max_rank: int) -> st.SearchStrategy[int]:
    """The rank: from the two bands of :func:`rank_bands` (about equally often) where there
    are two, else from ``min_rank..max_rank``."""
    bands = rank_bands(min_rank, max_rank)
    if bands is None:
        return st.integers(min_rank, max_rank)
    (low, low_top), (high_bottom, high) = bands
    return st.integers(low, low_top) | st.integers(high_bottom, high)


@functools.lru_cache(maxsize=256)
def rank_bands(min_rank: int, max_rank: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The low band (the simple ranks, 0-d first) and the high band (>= 5) that ranks are
    drawn from about equally often, or None when ``min_rank..max_rank`` has no high band."""
    low_top = min(max_rank, max(min_rank, 4))
    high_bottom = max(min_rank, 5)
    if high_bottom <= max_rank and low_top < high_bottom:
        return (min_rank, low_top), (high_bottom, max_rank)
    return None


def build_shape(
    rank: int,
    zero_at: int | None,
    max_elements: int,
    max_side: int | None,
    pick: Callable[[int], int],
) -> Shape:
    """Extents for ``rank`` dims (0 at ``zero_at``), each ``pick(top)`` from ``1..top``, so the
    non-zero extents multiply to at most ``max_elements``; shared by :func:`shapes` and its
    seeded twin in :mod:`strategies.recipes`."""
    budget = max_elements
    extents: list[int] = []
    for dim in range(rank):
        if dim == zero_at:
            extents.append(0)
            continue
        # Spread the budget over the dims still to come, so later extents are not all 1.
        dims_left = rank - dim - (1 if zero_at is not None and zero_at > dim else 0)
        top = _spread(budget, dims_left)
        if max_side is not None:
            top = max(1, min(top, max_side))
        extent = pick(top)
        budget = max(1, budget // extent)
        extents.append(extent)
    return tuple(extents)


@functools.lru_cache(maxsize=4096)
def _spread(budget: int, dims_left: int) -> int:
    """The largest extent offered to the next dim: about twice the ``dims_left``-th root of
    what is left of the budget (cached: a seeded recipe builds thousands of shapes)."""
    return min(budget, max(2, round(2 * budget ** (1 / dims_left))))


@reused
@st.composite
def _large_shapes(draw: st.DrawFn, min_rank: int, max_rank: int, max_elements: int,
                  large_elements: int, max_side: int | None) -> Shape:
    """The large band: one big extent (a boundary or any integer past ``max_elements``) at a
    drawn position, the others spread over what is left of ``large_elements``."""
    rank = draw(integers(max(min_rank, 1), min(max_rank, LARGE_MAX_RANK)))
    top = large_elements if max_side is None else min(large_elements, max_side)
    big = draw(_big_extents(max_elements, top))
    at = draw(integers(0, rank - 1))
    rest = build_shape(rank - 1, None, max(1, large_elements // big), max_side,
                       lambda side: draw(integers(1, side)))
    return (*rest[:at], big, *rest[at:])


@functools.lru_cache(maxsize=256)
def _big_extents(max_elements: int, top: int) -> st.SearchStrategy[int]:
    """The big extent of a large shape: a boundary of :data:`SIZE_BOUNDARIES` past
    ``max_elements`` (where one is at most ``top``) or any integer in between."""
    bounds = [bound for bound in SIZE_BOUNDARIES if max_elements < bound <= top]
    any_big = st.integers(max_elements + 1, top)
    return st.sampled_from(bounds) | any_big if bounds else any_big


def boundary_shapes(budget: int, *, max_rank: int = MAX_RANK) -> tuple[Shape, ...]:
    """Fixed shapes for sweeps that run on every seed (P-2, P-3, P-5, C-2): every rank
    ``0..max_rank`` with extents 1, with extents 2 and with a zero extent; a 4-d shape of
    distinct extents; and the large-band shapes within ``budget`` elements: one extent at
    each of :data:`SIZE_BOUNDARIES`, a big extent after a small one (its stride is the big
    extent) and before it, and a square of 2**20 x 2**20 (2**40 elements)."""
    found: list[Shape] = [()]
    for rank in range(1, max_rank + 1):
        found += [(1,) * rank, (2,) * rank, (*(2,) * (rank - 1), 0)]
    found.append((2, 3, 4, 5))
    for bound in SIZE_BOUNDARIES:
        found += [(bound,), (3, bound), (bound, 3), (1, 2, bound, 1)]
    found.append((2**20, 2**20))
    return tuple(shape for shape in dict.fromkeys(found)
                 if len(shape) <= max_rank and numel(shape) <= budget)
