"""Source tensors in every layout, filled with special values (C-1, C-2, C-3, G-1).

A draw is a :class:`Source`: the tensor plus the name of its layout, with a repr that
shows layout, shape, strides, offset, dtype and device (not the values).

Layouts (:data:`LAYOUTS`, served to C-1/C-2):

* ``contiguous``; ``transposed`` (rank >= 2, last two dims swapped);
  ``permuted`` (rank >= 3, a non-identity permutation); ``sliced`` (a step > 1 along one dim);
* ``offset`` (a view with storage offset > 0); ``expanded`` (zero strides, rank >= 1 with an
  extent other than 1); ``channels_last`` (rank 4); ``zero_numel`` (a zero extent).

Values (C-3, G-1) are built as integer bit patterns and viewed as the dtype, so every NaN
payload and signed zero survives exactly. Each draw picks a small pool of patterns (special
ones and arbitrary ones) and a seed; a ``torch.Generator`` then fills the tensor by indexing
the pool, which keeps generation cheap for any size. Special patterns:

* floating (IEEE-like formats): +-0, +-inf, quiet NaN, NaNs with distinct payloads (both
  signs), signalling NaNs, the smallest and largest subnormals, 1, -1.5, the largest finite;
* complex: the same per component; float8: selected patterns plus any of the 256 bytes;
* integers: 0, -1, 1, min, max; bool: False, True.

On ``meta`` there are no values: the tensor carries the layout's metadata only.
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import functools
import itertools
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch
from hypothesis import strategies as st

from strategies.bitwise import integer_view_dtype
from strategies.reuse import reused, sampled_from
from strategies.shapes import (
    DEFAULT_MAX_ELEMENTS,
    MAX_RANK,
    Shape,
    contiguous_strides,
    large_budget,
    numel,
    shapes,
)

__all__ = [
    "LAYOUTS",
    "LIST_FILL_LIMIT",
    "LayoutShapes",
    "Source",
    "applicable_layouts",
    "build_source",
    "column_major_strides",
    "component_dtype",
    "layout_shapes",
    "source_from_patterns",
    "sources",
    "special_bit_patterns",
    "upstream_gradients",
]

LAYOUTS: tuple[str, ...] = (
    "contiguous",
    "transposed",
    "permuted",
    "sliced",
    "offset",
    "expanded",
    "channels_last",
    "zero_numel",
)


@dataclass(frozen=True)
class Source:
    """A source tensor and the name of the layout it was built in."""

    tensor: torch.Tensor
    layout: str

    def __repr__(self) -> str:
        t = self.tensor
        return (
            f"Source(layout={self.layout!r}, shape={tuple(t.shape)}, stride={t.stride()}, "
            f"offset={t.storage_offset()}, dtype={t.dtype}, device={t.device.type!s})"
        )


# --- special bit patterns -------------------------------------------------------------

_IEEE_FORMATS: dict[torch.dtype, tuple[int, int]] = {
    torch.float64: (11, 52),
    torch.float32: (8, 23),
    torch.float16: (5, 10),
    torch.bfloat16: (8, 7),
}
_FLOAT8_SPECIALS: tuple[int, ...] = (0x00, 0x80, 0x7F, 0xFF, 0x7C, 0xFC, 0x7E, 0x01, 0x81, 0x38)


def _ieee_specials(exponent_bits: int, mantissa_bits: int) -> tuple[int, ...]:
    sign = 1 << (exponent_bits + mantissa_bits)
    all_ones_exponent = ((1 << exponent_bits) - 1) << mantissa_bits
    mantissa_mask = (1 << mantissa_bits) - 1
    quiet = 1 << (mantissa_bits - 1)
    one = ((1 << (exponent_bits - 1)) - 1) << mantissa_bits
    return (
        0,  # +0.0
        sign,  # -0.0
        all_ones_exponent,  # +inf
        sign | all_ones_exponent,  # -inf
        all_ones_exponent | quiet,  # the default quiet NaN
        all_ones_exponent | quiet | 1,  # quiet NaN, payload 1
        sign | all_ones_exponent | quiet | (0x1234 & mantissa_mask),  # negative NaN, payload
        all_ones_exponent | 1,  # signalling NaN, payload 1
        all_ones_exponent | (quiet >> 1 or 1),  # another signalling payload
        1,  # smallest positive subnormal
        sign | mantissa_mask,  # largest negative subnormal
        one,  # 1.0
        sign | one | quiet,  # -1.5
        all_ones_exponent - 1,  # largest finite (exponent all ones minus one, mantissa full)
    )


def special_bit_patterns(dtype: torch.dtype) -> tuple[int, ...]:
    """Unsigned bit patterns (of one component for complex) worth testing for ``dtype``."""
    component = component_dtype(dtype)
    if component in _IEEE_FORMATS:
        return _ieee_specials(*_IEEE_FORMATS[component])
    if component == torch.bool:
        return (0, 1)
    if component.is_floating_point:  # float8 formats: every byte is a valid pattern
        return _FLOAT8_SPECIALS
    bits = component.itemsize * 8
    mask = (1 << bits) - 1
    if component.is_signed:
        return (0, mask, 1, 1 << (bits - 1), mask >> 1)  # 0, -1, 1, min, max
    return (0, mask, 1, mask >> 1, 1 << (bits - 1))  # 0, max, 1, mid-1, mid


def component_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype of one component: the real part's for complex, ``dtype`` itself otherwise."""
    if dtype.is_complex:
        return {
            torch.complex128: torch.float64,
            torch.complex64: torch.float32,
        }.get(dtype, torch.float16)
    return dtype


def _to_signed(pattern: int, bits: int) -> int:
    return pattern - (1 << bits) if bits > 8 and pattern >= 1 << (bits - 1) else pattern


@reused
@st.composite
def _value_recipes(draw: st.DrawFn, dtype: torch.dtype) -> tuple[tuple[int, ...], int]:
    """A pool of unsigned bit patterns and a generator seed; shrinks to ``((0,), 0)``."""
    pool = draw(_pools(dtype))
    seed = draw(_SEEDS)
    return tuple(pool), seed


@functools.lru_cache(maxsize=64)
def _pools(dtype: torch.dtype) -> st.SearchStrategy[list[int]]:
    """1 to 8 bit patterns of ``dtype``: special ones or (but for bool) any of its width."""
    component = component_dtype(dtype)
    bits = component.itemsize * 8
    specials = special_bit_patterns(dtype)
    if component == torch.bool:
        pattern = st.sampled_from(specials)
    else:
        pattern = st.sampled_from(specials) | st.integers(0, (1 << bits) - 1)
    return st.lists(pattern, min_size=1, max_size=8)


_SEEDS = st.integers(0, 2**32 - 1)


_GENERATOR = torch.Generator()
"""Reseeded for every fill (cheaper than a new Generator; fills never run concurrently)."""


def _filled(numel: int, dtype: torch.dtype, pool: tuple[int, ...], seed: int) -> torch.Tensor:
    """The bits of ``numel`` elements of ``dtype`` drawn from ``pool``: a flat CPU tensor of
    integers of one component's width (two per complex element), for :func:`_allocated` to
    copy into the storage as they are."""
    bits_dtype = integer_view_dtype(dtype)
    width = component_dtype(dtype).itemsize * 8
    components = numel * 2 if dtype.is_complex else numel
    table = torch.tensor([_to_signed(p, width) for p in pool], dtype=bits_dtype)
    if len(pool) == 1:
        return table.expand(components).clone()
    _GENERATOR.manual_seed(seed)
    # index_select: the same elements as table[indices], without advanced indexing's cost
    return table.index_select(0, torch.randint(len(pool), (components,), generator=_GENERATOR))


# --- layouts ----------------------------------------------------------------------------


def applicable_layouts(shape: Shape) -> tuple[str, ...]:
    """The layouts in :data:`LAYOUTS` that a tensor of ``shape`` can be built in."""
    # The answer depends on three facts of the shape, not on its extents: cached on those
    # (a seeded recipe makes tens of thousands of distinct shapes, too many for a cache).
    rank = len(shape)
    return _applicable(rank, 0 in shape, shape.count(1) != rank)


@functools.lru_cache(maxsize=64)
def _applicable(rank: int, empty: bool, not_all_ones: bool) -> tuple[str, ...]:
    ok = {
        "contiguous": True,
        "transposed": rank >= 2,
        "permuted": rank >= 3,
        "sliced": rank >= 1,
        "offset": True,
        "expanded": rank >= 1 and not_all_ones,
        "channels_last": rank == 4,
        "zero_numel": empty,
    }
    return tuple(layout for layout in LAYOUTS if ok[layout])


def column_major_strides(shape: Shape) -> tuple[int, ...]:
    """The strides of a dense tensor of ``shape`` (rank >= 2) whose last two dims are
    swapped in memory: the ``transposed`` layout."""
    strides = list(contiguous_strides((*shape[:-2], shape[-1], shape[-2])))
    strides[-1], strides[-2] = strides[-2], strides[-1]
    return tuple(strides)


def _geometry(shape: Shape, layout: str, choice: int) -> tuple[int, tuple[int, ...], int]:
    """``(elements, strides, offset)`` of ``layout`` for ``shape``: the tensor has ``shape``,
    ``strides`` and ``offset`` over a storage of ``elements`` elements.

    The same tensors as cutting a contiguous buffer with torch's view ops (a transpose, a
    permutation, a step-2 slice, an expansion, a channels-last copy), worked out here so
    that a source costs one allocation and one copy of its bits whatever its layout (only
    ``offset`` sources are views, of a storage that starts before them).
    """
    rank = len(shape)
    if layout == "offset":  # contiguous, starting 1..3 elements into its storage
        offset = 1 + choice % 3
        return numel(shape) + offset, contiguous_strides(shape), offset
    if layout == "transposed":
        return numel(shape), column_major_strides(shape), 0
    if layout == "permuted":  # dim ``perm[k]`` is the ``k``-th outermost in memory
        perm = _permutation(shape, choice)
        in_memory = contiguous_strides(tuple(shape[dim] for dim in perm))
        strides = [0] * rank
        for position, dim in enumerate(perm):
            strides[dim] = in_memory[position]
        return numel(shape), tuple(strides), 0
    if layout == "sliced":  # every other element of a buffer twice as long along one dim
        dim = choice % rank
        stored = list(shape)
        stored[dim] = 2 * shape[dim] - 1 if shape[dim] else 0
        strides = list(contiguous_strides(stored))
        strides[dim] *= 2
        return numel(stored), tuple(strides), 0
    if layout == "expanded":  # one dim (of extent other than 1) stored once, stride 0
        candidates = [dim for dim, extent in enumerate(shape) if extent != 1]
        dim = candidates[choice % len(candidates)]
        stored = list(shape)
        stored[dim] = 1
        strides = list(contiguous_strides(stored))
        strides[dim] = 0
        return numel(stored), tuple(strides), 0
    if layout == "channels_last":  # NHWC in memory, torch's strides (raw extents, zeros too)
        _, channels, height, width = shape
        return numel(shape), (channels * width * height, 1, channels * width, channels), 0
    if layout in ("contiguous", "zero_numel"):
        return numel(shape), contiguous_strides(shape), 0
    raise ValueError(f"unknown layout {layout!r}")


def build_source(
    shape: Shape,
    dtype: torch.dtype,
    device: str | torch.device,
    layout: str,
    *,
    pool: tuple[int, ...] = (0,),
    seed: int = 0,
    choice: int = 0,
) -> Source:
    """Build a :class:`Source` deterministically (``choice`` picks the dim or permutation)."""
    _check_applies(layout, shape)
    elements, strides, offset = _geometry(shape, layout, choice)
    where, kind = _device(device)
    bits = None if kind == "meta" else _filled(elements, dtype, pool, seed)
    return Source(_allocated(shape, dtype, where, kind, elements, strides, offset, bits), layout)


LIST_FILL_LIMIT = 4096
"""Elements up to which a list of bit patterns (:func:`source_from_patterns`) is the cheaper
fill: its Python work grows with the list, the generator fill's few torch calls do not."""


def source_from_patterns(
    shape: Shape,
    dtype: torch.dtype,
    device: str | torch.device,
    layout: str,
    patterns: Callable[[int], Sequence[int]],
    *,
    choice: int = 0,
) -> Source:
    """:func:`build_source`'s tensor (the same layout, shape, strides and offset for the same
    ``choice``) with its storage filled from a list: ``patterns(count)`` gives the unsigned
    bit pattern of each of the ``count`` components of the storage (two per complex
    element), in storage order. Not called on ``meta``.

    The cheap fill for many small tensors (the seeded recipes): the list is packed into an
    ``array`` and copied into the storage as it is, where the generator fill of
    :func:`build_source` makes several torch calls.
    """
    _check_applies(layout, shape)
    elements, strides, offset = _geometry(shape, layout, choice)
    where, kind = _device(device)
    if kind == "meta":
        return Source(_allocated(shape, dtype, where, kind, elements, strides, offset), layout)
    components = elements * 2 if dtype.is_complex else elements
    bits = patterns(components)
    if len(bits) != components:
        raise ValueError(f"a storage of {elements} {dtype} elements needs {components} bit "
                         f"patterns, got {len(bits)}")
    packed = array.array(_ARRAY_CODES[component_dtype(dtype).itemsize], bits)
    return Source(_allocated(shape, dtype, where, kind, elements, strides, offset, packed),
                  layout)


_ARRAY_CODES = {array.array(code).itemsize: code for code in ("Q", "I", "H", "B")}
"""An unsigned ``array`` type code per width in bytes."""


def _check_applies(layout: str, shape: Shape) -> None:
    if layout not in applicable_layouts(shape):
        raise ValueError(f"layout {layout!r} does not apply to shape {shape}")


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@functools.lru_cache(maxsize=64)
def _device(device: str | torch.device) -> tuple[torch.device, str]:
    """``torch.device(device)`` and its type, made once per name (a case builds many
    tensors, and ``device.type`` makes a new string each time it is read)."""
    made = torch.device(device)
    return made, made.type


def _allocated(shape: Shape, dtype: torch.dtype, where: torch.device, kind: str,
               elements: int, strides: tuple[int, ...], offset: int,
               bits: array.array[int] | torch.Tensor | None = None) -> torch.Tensor:
    """The tensor of ``shape`` with ``strides`` and ``offset`` over a new storage of
    ``elements`` elements on ``where``, holding ``bits`` (the storage's, in storage order:
    packed in an ``array`` or a flat, contiguous CPU tensor); on ``meta`` there are none."""
    # torch warns that complex32 is experimental; a catch_warnings block around every
    # dtype's tensor would cost more than building a small one
    if dtype is torch.complex32:
        with _silenced():
            return _unwarned(shape, dtype, where, kind, elements, strides, offset, bits)
    return _unwarned(shape, dtype, where, kind, elements, strides, offset, bits)


def _unwarned(shape: Shape, dtype: torch.dtype, where: torch.device, kind: str,
              elements: int, strides: tuple[int, ...], offset: int,
              bits: array.array[int] | torch.Tensor | None) -> torch.Tensor:
    # empty_strided allocates what the strides reach: the whole storage, unless it starts
    # at an offset or a zero extent hides the elements of an expanded dim
    exact = offset == 0 and (elements == 0 or 0 not in shape)
    if kind == "meta":
        if exact:
            return torch.empty_strided(shape, strides, dtype=dtype, device=where)
        return torch.empty(elements, dtype=dtype, device=where).as_strided(shape, strides,
                                                                            offset)
    if kind != "cpu":  # built on the CPU, copied over
        host = _unwarned((elements,), dtype, where, "cpu", elements, (1,), 0, bits)
        return host.to(where).as_strided(shape, strides, offset)
    # One allocation (already in the layout where it can be) and one copy of the bits in
    # storage order: no view op, no intermediate storage (a recipe builds tens of thousands).
    if exact:
        tensor = torch.empty_strided(shape, strides, dtype=dtype)
    else:
        tensor = torch.empty(elements, dtype=dtype)
    size = elements * dtype.itemsize
    address, given = _buffer(bits)
    if tensor.untyped_storage().nbytes() != size or given != size:  # never overrun either
        raise RuntimeError(f"{shape} with strides {strides}: storage of "
                           f"{tensor.untyped_storage().nbytes()} bytes, bits of {given}, "
                           f"expected {size}")
    if size:
        ctypes.memmove(tensor.data_ptr(), address, size)
    return tensor if exact else tensor.as_strided(shape, strides, offset)


def _buffer(bits: array.array[int] | torch.Tensor | None) -> tuple[int, int]:
    """The address and size in bytes of ``bits`` (a contiguous tensor's, an array's)."""
    if isinstance(bits, array.array):
        return bits.buffer_info()[0], len(bits) * bits.itemsize
    if isinstance(bits, torch.Tensor) and bits.is_contiguous() and bits.device.type == "cpu":
        return bits.data_ptr(), bits.numel() * bits.element_size()
    return 0, 0


def _permutation(shape: Shape, choice: int) -> tuple[int, ...]:
    """A non-identity permutation of the dims, chosen so that (where two extents differ from
    1) the dims that matter end up out of order in memory: a really non-contiguous tensor."""
    return _permutation_of(len(shape),
                           tuple(dim for dim, extent in enumerate(shape) if extent != 1), choice)


@functools.lru_cache(maxsize=4096)
def _permutation_of(rank: int, moving_dims: tuple[int, ...], choice: int) -> tuple[int, ...]:
    """:func:`_permutation` of a shape of ``rank`` whose extents other than 1 are at
    ``moving_dims``: all it depends on, so the cache holds few entries however many shapes."""
    moving = list(moving_dims)
    if rank <= 4:
        candidates = [p for p in itertools.permutations(range(rank)) if p != tuple(range(rank))]
        scrambling = [p for p in candidates if [d for d in p if d in moving] != moving]
        pool = scrambling or candidates
        return pool[choice % len(pool)]
    if len(moving) < 2:
        return tuple(reversed(range(rank)))
    # Reverse the order of the dims that matter; rotate the size-1 dims among themselves.
    ones = [dim for dim in range(rank) if dim not in moving]
    shift = choice % len(ones) if ones else 0
    ones = ones[shift:] + ones[:shift]
    reversed_moving = iter(reversed(moving))
    rotated_ones = iter(ones)
    return tuple(
        next(reversed_moving) if dim in moving_dims else next(rotated_ones)
        for dim in range(rank)
    )


@reused  # one strategy object per argument list: validated once, not on every draw
@st.composite
def sources(
    draw: st.DrawFn,
    device: str,
    dtype: torch.dtype,
    shape: Shape | None = None,
    *,
    layouts: tuple[str, ...] = LAYOUTS,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    large: bool = False,
) -> Source:
    """Draw a :class:`Source` on ``device`` of ``dtype``; ``shape`` fixed or drawn.

    The layout is drawn first (shrinking to ``contiguous``); with ``shape=None`` a shape that
    admits it is drawn. With a fixed ``shape`` only the applicable layouts are drawn. With
    ``large`` a drawn shape comes now and then from the large band of
    :func:`strategies.shapes.shapes`, up to :func:`strategies.shapes.large_budget` of
    ``device`` (2**40 elements on ``meta``, 2**22 with data).
    """
    if shape is None:
        layout = draw(sampled_from(layouts))
        shape = draw(_shapes_for(layout, max_elements,
                                 large_budget(device) if large else None))
    else:
        shape = tuple(int(extent) for extent in shape)
        usable = tuple(layout for layout in applicable_layouts(shape) if layout in layouts)
        if not usable:
            raise ValueError(f"none of the layouts {layouts} applies to shape {shape}")
        layout = draw(sampled_from(usable))
    pool, seed = draw(_value_recipes(dtype))
    choice = draw(_CHOICES)
    return build_source(shape, dtype, device, layout, pool=pool, seed=seed, choice=choice)


_CHOICES = st.integers(0, 23)


def _widen(shape: Shape, positions: Sequence[int], needed: int) -> Shape:
    """Raise extents of 1 at ``positions`` to 2 until ``needed`` of them differ from 1.

    Shapes are adjusted rather than filtered: a batch of many cases must never be
    rejected for one unlucky draw.
    """
    extents = list(shape)
    missing = needed - sum(extents[i] != 1 for i in positions)
    for i in positions:
        if missing <= 0:
            break
        if extents[i] == 1:
            extents[i] = 2
            missing -= 1
    return tuple(extents)


def _transposed(shape: Shape) -> Shape:  # both swapped extents > 1: the strides really differ
    return _widen(shape, (-2, -1), 2)


def _permuted(shape: Shape) -> Shape:
    return _widen(shape, range(len(shape)), 2)


def _expanded(shape: Shape) -> Shape:
    return _widen(shape, (-1,), 1) if set(shape) == {1} else shape


def _channels_last(shape: Shape) -> Shape:  # channels and spatial extents > 1: distinct strides
    return _widen(_widen(shape, (1,), 1), (2, 3), 1)


@dataclass(frozen=True)
class LayoutShapes:
    """How a shape that admits a layout is made: drawn within these bounds, then adjusted.

    One description per layout, shared by :func:`sources` and its seeded twin in
    :mod:`strategies.recipes`, so both make the same shapes.
    """

    min_rank: int = 0
    max_rank: int = MAX_RANK
    allow_zero: bool = True
    """Whether the drawn shape may have a zero extent (it may, unless ``zero_extent``)."""
    zero_extent: bool = False
    """The layout needs a zero extent: :meth:`adjust` sets the extent at ``at`` to 0."""
    widen: Callable[[Shape], Shape] | None = None
    """Raises extents of 1 so the layout's strides really differ (None: nothing to do)."""

    def adjust(self, shape: Shape, at: int = 0) -> Shape:
        """``shape`` (drawn within the bounds) turned into one that admits the layout;
        ``at`` (any integer, taken modulo the rank) picks the zero extent where one is needed."""
        if self.zero_extent:
            return tuple(0 if dim == at % len(shape) else extent
                         for dim, extent in enumerate(shape))
        return shape if self.widen is None else self.widen(shape)


_LAYOUT_SHAPES: dict[str, LayoutShapes] = {
    "contiguous": LayoutShapes(),
    "transposed": LayoutShapes(min_rank=2, widen=_transposed),
    "permuted": LayoutShapes(min_rank=3, widen=_permuted),
    "sliced": LayoutShapes(min_rank=1),
    "offset": LayoutShapes(),
    "expanded": LayoutShapes(min_rank=1, widen=_expanded),
    "channels_last": LayoutShapes(min_rank=4, max_rank=4, widen=_channels_last),
    "zero_numel": LayoutShapes(min_rank=1, allow_zero=False, zero_extent=True),
}


def layout_shapes(layout: str) -> LayoutShapes:
    """The :class:`LayoutShapes` of ``layout`` (one of :data:`LAYOUTS`)."""
    try:
        return _LAYOUT_SHAPES[layout]
    except KeyError:
        raise ValueError(f"unknown layout {layout!r}") from None


@reused
def _shapes_for(layout: str, max_elements: int,
                large_elements: int | None = None) -> st.SearchStrategy[Shape]:
    spec = layout_shapes(layout)
    drawn = shapes(min_rank=spec.min_rank, max_rank=spec.max_rank, max_elements=max_elements,
                   allow_zero=spec.allow_zero, large_elements=large_elements)
    if spec.zero_extent:
        return st.builds(spec.adjust, drawn, st.integers(0, 7))
    return drawn if spec.widen is None else drawn.map(spec.adjust)


def upstream_gradients(
    like: torch.Tensor, *, layouts: tuple[str, ...] = LAYOUTS
) -> st.SearchStrategy[torch.Tensor]:
    """Draw a gradient for ``like`` (same shape, dtype, device) with special values (G-1).

    The gradient is contiguous or not: any applicable layout in ``layouts``.
    """
    return _gradients(str(like.device), like.dtype, tuple(like.shape), layouts)


@reused  # keyed on the metadata of ``like``, never on the tensor: no cache keeps one alive
def _gradients(device: str, dtype: torch.dtype, shape: Shape,
               layouts: tuple[str, ...]) -> st.SearchStrategy[torch.Tensor]:
    return sources(device, dtype, shape, layouts=layouts).map(lambda source: source.tensor)
