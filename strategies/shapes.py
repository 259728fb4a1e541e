"""Tensor shapes for placeholders and sources (P-2, P-3, P-5; C-2).

Shapes cover 0-d, zero-size extents and ranks up to 8, with those edge cases drawn often.
The product of the non-zero extents never exceeds ``max_elements``, so zero-size shapes
stay small too (their views and expansions remain cheap). Shrinking goes to ``()``, then
to rank 1 with extent 1.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

__all__ = ["DEFAULT_MAX_ELEMENTS", "MAX_RANK", "Shape", "shapes"]

Shape = tuple[int, ...]

MAX_RANK = 8
DEFAULT_MAX_ELEMENTS = 64


@st.composite
def shapes(
    draw: st.DrawFn,
    *,
    min_rank: int = 0,
    max_rank: int = MAX_RANK,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    max_side: int | None = None,
    allow_zero: bool = True,
) -> Shape:
    """Draw a shape of rank ``min_rank..max_rank`` whose non-zero extents multiply to at most
    ``max_elements``; each extent is at most ``max_side`` (default: no limit but the budget).

    With ``allow_zero`` about one shape in four of rank >= 1 has one zero extent.
    """
    if not 0 <= min_rank <= max_rank:
        raise ValueError(f"need 0 <= min_rank <= max_rank, got {min_rank}, {max_rank}")
    if max_elements < 1:
        raise ValueError(f"max_elements must be >= 1, got {max_elements}")
    bands = rank_bands(min_rank, max_rank)
    if bands is not None:
        (low, low_top), (high_bottom, high) = bands
        rank = draw(st.integers(low, low_top) | st.integers(high_bottom, high))
    else:
        rank = draw(st.integers(min_rank, max_rank))
    zero_at = None
    if allow_zero and rank > 0 and draw(st.integers(0, 3)) == 3:
        zero_at = draw(st.integers(0, rank - 1))
    return build_shape(rank, zero_at, max_elements, max_side,
                       lambda top: draw(st.integers(1, top)))


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
        top = min(budget, max(2, round(2 * budget ** (1 / dims_left))))
        if max_side is not None:
            top = max(1, min(top, max_side))
        extent = pick(top)
        budget = max(1, budget // extent)
        extents.append(extent)
    return tuple(extents)
