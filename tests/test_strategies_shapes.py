"""The shapes strategy reaches its edge cases, respects its bounds and shrinks simply."""

from __future__ import annotations

import random

import pytest
from hypothesis import find, settings
from hypothesis import strategies as st

from strategies.shapes import (
    DEFAULT_MAX_ELEMENTS,
    LARGE_ON_META,
    LARGE_WITH_DATA,
    MAX_RANK,
    SIZE_BOUNDARIES,
    Shape,
    boundary_shapes,
    large_budget,
    numel,
    shapes,
)
from tests.sampling import sample


def nonzero_product(shape: Shape) -> int:
    product = 1
    for extent in shape:
        product *= extent or 1
    return product


def test_edge_cases_appear_often() -> None:
    # Pair with an unrelated integer so Hypothesis' de-duplication does not hide repeats.
    drawn = [shape for shape, _ in sample(st.tuples(shapes(), st.integers(0, 9)), 400)]
    zero_d = sum(shape == () for shape in drawn)
    zero_size = sum(0 in shape for shape in drawn)
    high_rank = sum(len(shape) >= 5 for shape in drawn)
    assert zero_d >= 10, zero_d
    assert zero_size >= 0.1 * len(drawn), zero_size
    assert high_rank >= 0.2 * len(drawn), high_rank
    assert any(len(shape) == MAX_RANK for shape in drawn)
    assert any(len(shape) >= 5 and 0 in shape for shape in drawn)
    # Later extents are not all 1: some rank >= 3 shape has two extents above 1.
    assert any(sum(extent > 1 for extent in shape) >= 2 for shape in drawn if len(shape) >= 3)


@pytest.mark.parametrize("max_elements", [1, 4, DEFAULT_MAX_ELEMENTS, 1000])
def test_element_bound_and_ranks(max_elements: int) -> None:
    drawn = sample(shapes(max_elements=max_elements), 150)
    assert all(nonzero_product(shape) <= max_elements for shape in drawn)
    assert all(0 <= len(shape) <= MAX_RANK for shape in drawn)
    assert all(extent >= 0 for shape in drawn for extent in shape)
    assert max(nonzero_product(shape) for shape in drawn) > max_elements // 4


def test_rank_limits_side_limit_and_no_zero() -> None:
    drawn = sample(shapes(min_rank=2, max_rank=4, max_side=3, allow_zero=False), 150)
    assert {len(shape) for shape in drawn} == {2, 3, 4}
    assert all(1 <= extent <= 3 for shape in drawn for extent in shape)
    exactly_four = sample(shapes(min_rank=4, max_rank=4), 50)
    assert {len(shape) for shape in exactly_four} == {4}


SHRINKING = settings(database=None, derandomize=True)
"""A fixed search: from a random start the shrinker has once been seen to stop at
``(0, 1, 1, 1, 1)`` (rank 5 is in the high band, rank 1 in the low one: both the band
and the rank must change at once), so a random run of this test would be flaky."""


def test_shrinks_to_simplest() -> None:
    assert find(shapes(), lambda shape: True, settings=SHRINKING) == ()
    assert find(shapes(), lambda shape: len(shape) >= 1, settings=SHRINKING) == (1,)
    assert find(shapes(), lambda shape: 0 in shape, settings=SHRINKING) == (0,)
    assert find(shapes(min_rank=5), lambda shape: True, settings=SHRINKING) == (1, 1, 1, 1, 1)


@pytest.mark.parametrize(
    "kwargs", [{"min_rank": 3, "max_rank": 2}, {"min_rank": -1}, {"max_elements": 0}]
)
def test_invalid_arguments_raise(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        find(shapes(**kwargs), lambda shape: True)  # type: ignore[arg-type]


# -- size bands ------------------------------------------------------------------------------


@pytest.mark.parametrize("large", [LARGE_WITH_DATA, LARGE_ON_META])
def test_large_band_is_drawn_now_and_then_within_its_budget(large: int) -> None:
    drawn = [shape for shape, _ in
             sample(st.tuples(shapes(large_elements=large), st.integers(0, 9)), 400)]
    big = [shape for shape in drawn if nonzero_product(shape) > DEFAULT_MAX_ELEMENTS]
    assert len(big) >= 0.02 * len(drawn), len(big)
    assert len(big) <= 0.5 * len(drawn), len(big)  # the small band stays the common case
    assert all(nonzero_product(shape) <= large for shape in drawn)
    assert all(0 not in shape and 1 <= len(shape) for shape in big)
    assert any(extent in SIZE_BOUNDARIES for shape in big for extent in shape)


def test_large_band_reaches_int32_overflow_on_meta() -> None:
    def over_int32(shape: Shape) -> bool:
        return any(extent > 2**31 for extent in shape)

    # A fixed seed and no database: a search for a rare shape must not pass or fail by luck.
    fixed = settings(max_examples=2000, database=None)
    found = find(shapes(large_elements=LARGE_ON_META), over_int32, settings=fixed,
                 random=random.Random(20261201))
    assert found == (2**31 + 1,)
    stride_over = find(shapes(large_elements=LARGE_ON_META),
                       lambda shape: len(shape) >= 2 and shape[-1] > 2**31, settings=fixed,
                       random=random.Random(20261201))
    assert stride_over[-1] == 2**31 + 1 and numel(stride_over) <= LARGE_ON_META


def test_large_band_shrinks_to_the_smallest_boundary() -> None:
    assert find(shapes(large_elements=LARGE_WITH_DATA),
                lambda shape: numel(shape) > DEFAULT_MAX_ELEMENTS) == (65,)
    # Without large_elements nothing leaves the small band.
    drawn = sample(shapes(), 200)
    assert all(nonzero_product(shape) <= DEFAULT_MAX_ELEMENTS for shape in drawn)


def test_large_band_respects_rank_and_side() -> None:
    drawn = sample(shapes(min_rank=4, max_rank=4, large_elements=LARGE_ON_META), 300)
    assert {len(shape) for shape in drawn} == {4}
    sided = sample(shapes(max_side=3, large_elements=LARGE_ON_META), 200)
    assert all(extent <= 3 for shape in sided for extent in shape)


def test_large_budget_per_device() -> None:
    assert large_budget("meta") == LARGE_ON_META == 2**40
    assert large_budget("cpu") == LARGE_WITH_DATA == 2**22


@pytest.mark.parametrize("budget", [2**22, 2**40])
def test_boundary_shapes(budget: int) -> None:
    swept = boundary_shapes(budget)
    assert len(set(swept)) == len(swept)
    assert all(numel(shape) <= budget for shape in swept)
    assert {len(shape) for shape in swept} == set(range(MAX_RANK + 1))
    assert (2, 3, 4, 5) in swept and (65,) in swept and any(0 in shape for shape in swept)
    beyond_int32 = [shape for shape in swept if max(shape, default=0) > 2**31]
    assert bool(beyond_int32) == (budget == 2**40)
    if budget == 2**40:
        assert (3, 2**31 + 1) in swept and (2**20, 2**20) in swept


def test_large_elements_must_exceed_max_elements() -> None:
    with pytest.raises(ValueError):
        find(shapes(max_elements=64, large_elements=64), lambda shape: True)
