"""Seeded recipes: the same cases as the strategies, built from a ``random.Random``.

Fuzz mode (``--cp-batch N > 1``) spends most of its time in Hypothesis drawing the
many primitive choices of a structured case. A *recipe* is a plain function
``recipe(rng) -> case`` that makes those choices with ``rng`` instead; a property hands
one to :func:`conformance.batch.draw_cases`, which then only draws one integer seed per
case. The helpers here mirror the strategies choice for choice, so a recipe covers what
the strategy covers (P-, C- and G-clauses):

* shapes: rank 0..8 with low and high ranks both common, a zero extent in about one
  shape of rank >= 1 in four, non-zero extents within ``max_elements``;
* dtypes: every dtype :func:`supported_dtypes` offers with the same filters;
* layouts: every applicable entry of :data:`LAYOUTS`, shapes widened as the strategy does;
* values: a pool of up to 8 bit patterns, special ones (:func:`special_bit_patterns`)
  half the time, filled in by :func:`build_source` with torch ops.

What recipes give up is shrinking inside a case: a failing seed stays that seed. The
list of seeds still shrinks to one case, and a replay blob holds the seeds.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence

import torch

from strategies.dtypes import FAMILIES, DtypeInfo, dtype_choices
from strategies.requests import PlaceholderRequest
from strategies.shapes import DEFAULT_MAX_ELEMENTS, MAX_RANK, Shape, build_shape, rank_bands
from strategies.tensors import (
    LAYOUTS,
    Source,
    applicable_layouts,
    build_source,
    component_dtype,
    layout_shapes,
    special_bit_patterns,
)

__all__ = [
    "Recipe",
    "dtype_recipe",
    "request_recipe",
    "shape_recipe",
    "source_recipe",
    "upstream_recipe",
    "value_pool",
]

Recipe = Callable[[random.Random], object]
"""``recipe(rng) -> case``: one case built deterministically from ``rng``."""


def shape_recipe(
    rng: random.Random,
    *,
    min_rank: int = 0,
    max_rank: int = MAX_RANK,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    allow_zero: bool = True,
) -> Shape:
    """A shape as :func:`strategies.shapes` draws it (P-2, P-3, P-5, C-2)."""
    bands = rank_bands(min_rank, max_rank)
    if bands is not None:
        rank = rng.randint(*bands[1] if rng.random() < 0.5 else bands[0])
    else:
        rank = rng.randint(min_rank, max_rank)
    zero_at = rng.randrange(rank) if allow_zero and rank > 0 and rng.random() < 0.25 else None
    return build_shape(rank, zero_at, max_elements, None, lambda top: rng.randint(1, top))


def dtype_recipe(
    rng: random.Random,
    device: str,
    *,
    requires_grad: bool | None = None,
    families: tuple[str, ...] = FAMILIES,
    where: Callable[[DtypeInfo], bool] | None = None,
) -> DtypeInfo:
    """One of the dtypes :func:`strategies.dtypes` would draw with the same filters."""
    return rng.choice(
        dtype_choices(device, requires_grad=requires_grad, families=families, where=where)
    )


@functools.lru_cache(maxsize=64)
def _pattern_facts(dtype: torch.dtype) -> tuple[tuple[int, ...], int, bool]:
    component = component_dtype(dtype)
    return special_bit_patterns(dtype), component.itemsize * 8, component == torch.bool


def value_pool(rng: random.Random, dtype: torch.dtype) -> tuple[int, ...]:
    """1..8 unsigned bit patterns of ``dtype``: each a special pattern half the time, else
    any pattern of the width (C-3, G-1)."""
    specials, bits, is_bool = _pattern_facts(dtype)
    top = (1 << bits) - 1
    size = rng.randint(1, 8)
    return tuple(
        rng.choice(specials) if is_bool or rng.random() < 0.5 else rng.randint(0, top)
        for _ in range(size)
    )


def _shape_for(rng: random.Random, layout: str, max_elements: int) -> Shape:
    """A shape that admits ``layout``, made as the strategy makes it (:func:`layout_shapes`)."""
    spec = layout_shapes(layout)
    shape = shape_recipe(rng, min_rank=spec.min_rank, max_rank=spec.max_rank,
                         max_elements=max_elements, allow_zero=spec.allow_zero)
    return spec.adjust(shape, rng.randrange(len(shape)) if spec.zero_extent else 0)


def source_recipe(
    rng: random.Random,
    device: str,
    dtype: torch.dtype,
    shape: Shape | None = None,
    *,
    layouts: tuple[str, ...] = LAYOUTS,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> Source:
    """A :class:`Source` as :func:`strategies.sources` draws it: any layout (C-1, C-2),
    special values (C-3, G-1); ``shape`` fixed or chosen to admit the layout."""
    if shape is None:
        layout = rng.choice(layouts)
        shape = _shape_for(rng, layout, max_elements)
    else:
        usable = tuple(layout for layout in applicable_layouts(shape) if layout in layouts)
        if not usable:
            raise ValueError(f"none of the layouts {layouts} applies to shape {shape}")
        layout = rng.choice(usable)
    pool = value_pool(rng, dtype)
    return build_source(shape, dtype, device, layout, pool=pool, seed=rng.getrandbits(32),
                        choice=rng.randrange(24))


def upstream_recipe(
    rng: random.Random, like: torch.Tensor, *, layouts: tuple[str, ...] = LAYOUTS
) -> torch.Tensor:
    """A gradient for ``like`` in any applicable layout, special values (G-1, G-3)."""
    return source_recipe(rng, str(like.device), like.dtype, tuple(like.shape),
                         layouts=layouts).tensor


_SAME_WIDTH_INTS = {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def rearranged_recipe(rng: random.Random, like: torch.Tensor) -> torch.Tensor:
    """A gradient for ``like`` made of ``like``'s own bits, rearranged (G-1 in fuzz batches).

    Several times cheaper than :func:`upstream_recipe`: the source already carries the
    special bit patterns (NaN payloads, signed zeros, subnormals, infinities), so a
    flipped, rolled or transposed copy of them checks the same values in a new order and
    layout. Structured runs (batch 1) keep drawing independent gradients.
    """
    # Detached, so nothing below records a graph (no ``no_grad`` block: entering one costs
    # more than these ops on a small tensor).
    bits = like.detach().clone()  # contiguous, same bits
    if bits.dim() == 0 or bits.numel() == 0:
        return bits
    choice = rng.randrange(3)
    if choice == 0 and bits.element_size() in _SAME_WIDTH_INTS:
        # flip has no kernel for float8, uint16..64 or complex32: flip the same bits as ints
        ints = bits.view(_SAME_WIDTH_INTS[bits.element_size()])
        return ints.flip(rng.randrange(bits.dim())).view(bits.dtype)
    if choice == 1:
        return bits.roll(rng.randrange(1, bits.numel() + 1))
    if bits.dim() >= 2:  # the same shape, laid out column-major
        return bits.transpose(-1, -2).contiguous().transpose(-1, -2)
    return bits


def request_recipe(
    rng: random.Random,
    devices: Sequence[str],
    *,
    requires_grad: bool | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> PlaceholderRequest:
    """A valid request as :func:`strategies.placeholder_requests` draws it (P-1 .. P-6)."""
    device = rng.choice(tuple(devices))
    info = dtype_recipe(rng, device, requires_grad=True if requires_grad else None)
    shape = shape_recipe(rng, max_elements=max_elements)
    flag = rng.random() < 0.5
    wants_grad = (info.can_require_grad and flag) if requires_grad is None else requires_grad
    return PlaceholderRequest(shape, info.dtype, device, wants_grad)
