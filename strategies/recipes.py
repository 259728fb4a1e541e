"""Seeded recipes: the same cases as the strategies, built from a ``random.Random``.

Fuzz mode (``--cp-batch N > 1``) spends most of its time in Hypothesis drawing the
many primitive choices of a structured case. A *recipe* is a plain function
``recipe(rng) -> case`` that makes those choices with ``rng`` instead; a property hands
one to :func:`conformance.batch.draw_cases`, which then only draws a count and one stream
seed per batch of cases. The helpers here mirror the strategies choice for choice, so a
recipe covers what the strategy covers (P-, C- and G-clauses):

* shapes: rank 0..8 with low and high ranks both common, a zero extent in about one
  shape of rank >= 1 in four, non-zero extents within ``max_elements``;
* dtypes: every dtype :func:`supported_dtypes` offers with the same filters;
* layouts: every applicable entry of :data:`LAYOUTS`, shapes widened as the strategy does;
* values: a pool of up to 8 bit patterns, special ones (:func:`special_bit_patterns`)
  half the time; each element picked from the pool with ``rng`` and the storage filled
  from that list by :func:`source_from_patterns` (:func:`build_source`'s layouts).

What recipes give up is shrinking inside a case: a failing case stays that case. A failing
batch still shrinks to the shortest one that ends on it, and a replay blob holds its count
and stream seed.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from math import floor

import torch

from strategies.dtypes import FAMILIES, DtypeInfo, dtype_choices
from strategies.requests import PlaceholderRequest
from strategies.shapes import (
    DEFAULT_MAX_ELEMENTS,
    MAX_RANK,
    Shape,
    build_shape,
    numel,
    rank_bands,
)
from strategies.tensors import (
    LAYOUTS,
    LIST_FILL_LIMIT,
    Source,
    applicable_layouts,
    build_source,
    column_major_strides,
    component_dtype,
    layout_shapes,
    source_from_patterns,
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
    # rng.random() scaled, not randint: a case makes dozens of picks, and randint costs
    # several times as much (the picks are as uniform as a fuzzer needs). floor, not int():
    # the same index for these non-negative products, at a third of the cost.
    uniform = rng.random
    bands = rank_bands(min_rank, max_rank)
    low, high = (min_rank, max_rank) if bands is None else bands[uniform() < 0.5]
    rank = low + floor(uniform() * (high - low + 1))
    zero_at = floor(uniform() * rank) if allow_zero and rank > 0 and uniform() < 0.25 else None
    return build_shape(rank, zero_at, max_elements, None, lambda top: 1 + floor(uniform() * top))


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
    uniform, count = rng.random, len(specials)
    size = 1 + floor(uniform() * 8)
    if is_bool:
        return tuple([specials[floor(uniform() * count)] for _ in range(size)])
    return tuple([
        specials[floor(uniform() * count)] if uniform() < 0.5 else rng.getrandbits(bits)
        for _ in range(size)
    ])


def _shape_for(rng: random.Random, layout: str, max_elements: int) -> Shape:
    """A shape that admits ``layout``, made as the strategy makes it (:func:`layout_shapes`)."""
    spec = layout_shapes(layout)
    shape = shape_recipe(rng, min_rank=spec.min_rank, max_rank=spec.max_rank,
                         max_elements=max_elements, allow_zero=spec.allow_zero)
    return spec.adjust(shape, floor(rng.random() * len(shape)) if spec.zero_extent else 0)


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
    special values (C-3, G-1); ``shape`` fixed or chosen to admit the layout.

    Each element is one of the pool's patterns, picked with ``rng``, and the storage is
    filled from that list (:func:`source_from_patterns`: :func:`build_source`'s layouts, a
    fraction of its cost); shapes of over :data:`LIST_FILL_LIMIT` elements get
    :func:`build_source`'s generator fill.
    """
    if shape is None:
        layout = layouts[floor(rng.random() * len(layouts))]
        shape = _shape_for(rng, layout, max_elements)
    else:
        usable = tuple(layout for layout in applicable_layouts(shape) if layout in layouts)
        if not usable:
            raise ValueError(f"none of the layouts {layouts} applies to shape {shape}")
        layout = usable[floor(rng.random() * len(usable))]
    pool = value_pool(rng, dtype)
    choice = floor(rng.random() * 24)
    if numel(shape) > LIST_FILL_LIMIT:
        return build_source(shape, dtype, device, layout, pool=pool, seed=rng.getrandbits(32),
                            choice=choice)
    return source_from_patterns(shape, dtype, device, layout, _picker(rng, pool), choice=choice)


def _picker(rng: random.Random, pool: tuple[int, ...]) -> Callable[[int], list[int]]:
    """``count -> count`` patterns of ``pool``, each picked with ``rng``: one random byte per
    pick, turned into an index by a table (C-level work, not a Python draw per element).
    256 is no multiple of 3, 5, 6 or 7: in pools of those sizes the first few patterns come
    up with probability at most 1/256 higher than the others."""
    if len(pool) == 1:
        only = pool[0]
        return lambda count: [only] * count
    indices = _INDEX_TABLES[len(pool)]
    return lambda count: [pool[index] for index in rng.randbytes(count).translate(indices)]


_INDEX_TABLES = {size: bytes(byte % size for byte in range(256)) for size in range(1, 9)}
"""Per pool size (1..8, :func:`value_pool`), the table from a random byte to an index."""


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
    # Nothing below may record a graph: a source that requires grad is detached first (no
    # ``no_grad`` block: entering one costs more than these ops on a small tensor). Each
    # branch makes one new tensor; every op copies bits, none computes with them.
    source = like.detach() if like.requires_grad else like
    rank, elements = source.dim(), source.numel()
    if rank == 0 or elements == 0:
        return source.clone()
    choice = floor(rng.random() * 3)
    width = source.element_size()
    if choice == 0 and width in _SAME_WIDTH_INTS:
        dim = floor(rng.random() * rank)
        if _has_flip(source.dtype, source.device):
            return source.flip(dim)
        # flip has no kernel for float8, uint16..64 or complex32: flip the same bits as ints
        # (a view of any layout as ints of the element's width is a plain view)
        return source.view(_SAME_WIDTH_INTS[width]).flip(dim).view(source.dtype)
    if choice == 1:
        return source.roll(1 + floor(rng.random() * elements))
    if rank >= 2:  # the same shape, laid out column-major
        return torch.empty_strided(source.shape, column_major_strides(source.shape),
                                   dtype=source.dtype, device=source.device).copy_(source)
    return source.clone()


@functools.lru_cache(maxsize=128)
def _has_flip(dtype: torch.dtype, device: torch.device) -> bool:
    """Whether ``flip`` has a kernel for ``dtype`` on ``device`` (tried once; keyed on the
    device object: reading ``device.type`` costs more than the lookup)."""
    try:
        torch.zeros(2, dtype=dtype, device=device).flip(0)
    except (RuntimeError, NotImplementedError, TypeError):
        return False
    return True


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
