"""The shapes strategy reaches its edge cases, respects its bounds and shrinks simply."""

from __future__ import annotations

import pytest
from hypothesis import find
from hypothesis import strategies as st

from strategies.shapes import DEFAULT_MAX_ELEMENTS, MAX_RANK, Shape, shapes
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


def test_shrinks_to_simplest() -> None:
    assert find(shapes(), lambda shape: True) == ()
    assert find(shapes(), lambda shape: len(shape) >= 1) == (1,)
    assert find(shapes(), lambda shape: 0 in shape) == (0,)
    assert find(shapes(min_rank=5), lambda shape: True) == (1, 1, 1, 1, 1)


@pytest.mark.parametrize(
    "kwargs", [{"min_rank": 3, "max_rank": 2}, {"min_rank": -1}, {"max_elements": 0}]
)
def test_invalid_arguments_raise(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        find(shapes(**kwargs), lambda shape: True)  # type: ignore[arg-type]
