"""Source tensors: every layout, every special value kind, cheap generation, gradients."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.bitwise import first_bitwise_difference, to_bits
from strategies.shapes import shapes
from strategies.tensors import (
    LAYOUTS,
    LIST_FILL_LIMIT,
    Source,
    _permutation,
    applicable_layouts,
    build_source,
    component_dtype,
    layout_shapes,
    source_from_patterns,
    sources,
    special_bit_patterns,
    upstream_gradients,
)
from tests.sampling import sample

FLOAT_FORMATS = {  # dtype -> (exponent bits, mantissa bits)
    torch.float32: (8, 23),
    torch.float64: (11, 52),
    torch.float16: (5, 10),
    torch.bfloat16: (8, 7),
}


def classify(pattern: int, exponent_bits: int, mantissa_bits: int) -> str:
    """Name the IEEE class of an unsigned bit pattern."""
    sign = pattern >> (exponent_bits + mantissa_bits)
    exponent = (pattern >> mantissa_bits) & ((1 << exponent_bits) - 1)
    mantissa = pattern & ((1 << mantissa_bits) - 1)
    if exponent == (1 << exponent_bits) - 1:
        return "nan" if mantissa else ("-inf" if sign else "+inf")
    if exponent == 0:
        if mantissa == 0:
            return "-0" if sign else "+0"
        return "subnormal"
    return "normal"


def unsigned_patterns(tensor: torch.Tensor) -> set[int]:
    bits = to_bits(tensor).reshape(-1)
    width = bits.element_size() * 8
    return {int(value) & ((1 << width) - 1) for value in bits.tolist()}


def check_layout(source: Source) -> None:
    """The tensor really has the layout its tag claims."""
    tensor, layout = source.tensor, source.layout
    assert layout in applicable_layouts(tuple(tensor.shape))
    nonempty = tensor.numel() > 0
    if layout == "contiguous":
        assert tensor.is_contiguous() and tensor.storage_offset() == 0
    elif layout == "transposed" and nonempty and min(tensor.shape[-2:]) > 1:
        assert not tensor.is_contiguous()
    elif layout == "permuted" and nonempty and sum(e > 1 for e in tensor.shape) >= 2:
        assert not tensor.is_contiguous()
    elif layout == "sliced":
        assert any(stride > 1 and stride % 2 == 0 for stride in tensor.stride()) or not nonempty
    elif layout == "offset":
        assert tensor.storage_offset() > 0
    elif layout == "expanded":
        assert 0 in tensor.stride()
    elif layout == "channels_last":
        assert tensor.is_contiguous(memory_format=torch.channels_last)
        if nonempty and tensor.shape[1] > 1 and tensor.shape[2] * tensor.shape[3] > 1:
            assert not tensor.is_contiguous()
    elif layout == "zero_numel":
        assert tensor.numel() == 0


@pytest.mark.parametrize("device", ["cpu", "meta"])
def test_every_layout_is_reached_and_honest(device: str) -> None:
    drawn = sample(sources(device, torch.float32), 250)
    assert {source.layout for source in drawn} == set(LAYOUTS)
    for source in drawn:
        check_layout(source)
        assert source.tensor.device.type == device and source.tensor.dtype == torch.float32
    shapes = [tuple(source.tensor.shape) for source in drawn]
    assert () in shapes and any(len(shape) >= 5 for shape in shapes)


@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 3), (2, 3, 2, 2), (1, 1)])
def test_fixed_shape_uses_every_applicable_layout(shape: tuple[int, ...]) -> None:
    drawn = sample(sources("cpu", torch.float64, shape), 100)
    assert {source.layout for source in drawn} == set(applicable_layouts(shape))
    assert all(tuple(source.tensor.shape) == shape for source in drawn)
    for source in drawn:
        check_layout(source)


def test_inapplicable_layout_is_refused() -> None:
    with pytest.raises(ValueError):
        build_source((2, 3), torch.float32, "cpu", "channels_last")
    with pytest.raises(ValueError):
        sample(sources("cpu", torch.float32, (5,), layouts=("transposed",)), 1)


@pytest.mark.parametrize("dtype", list(FLOAT_FORMATS))
def test_float_special_values_are_reached(dtype: torch.dtype) -> None:
    exponent_bits, mantissa_bits = FLOAT_FORMATS[dtype]
    seen: set[int] = set()
    for source in sample(sources("cpu", dtype), 200):
        seen |= unsigned_patterns(source.tensor)
    kinds = {classify(pattern, exponent_bits, mantissa_bits) for pattern in seen}
    assert {"+0", "-0", "+inf", "-inf", "nan", "subnormal", "normal"} <= kinds
    nans = {p for p in seen if classify(p, exponent_bits, mantissa_bits) == "nan"}
    assert len(nans) >= 3, "NaNs with distinct payloads"
    assert any(p >> (exponent_bits + mantissa_bits) for p in nans), "a negative NaN"


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_complex_special_values_per_component(dtype: torch.dtype) -> None:
    exponent_bits, mantissa_bits = (8, 23) if dtype == torch.complex64 else (11, 52)
    real_kinds: set[str] = set()
    imag_kinds: set[str] = set()
    for source in sample(sources("cpu", dtype), 150):
        pairs = to_bits(source.tensor).reshape(-1, 2)
        width = pairs.element_size() * 8
        for real, imag in pairs.tolist():
            real_kinds.add(classify(real & ((1 << width) - 1), exponent_bits, mantissa_bits))
            imag_kinds.add(classify(imag & ((1 << width) - 1), exponent_bits, mantissa_bits))
    for kinds in (real_kinds, imag_kinds):
        assert {"-0", "+inf", "-inf", "nan", "subnormal"} <= kinds


@pytest.mark.parametrize("dtype", [torch.int8, torch.int32, torch.int64, torch.uint8])
def test_integer_extremes_are_reached(dtype: torch.dtype) -> None:
    info = torch.iinfo(dtype)
    values: set[int] = set()
    for source in sample(sources("cpu", dtype), 150):
        values |= set(source.tensor.reshape(-1).tolist())
    assert {info.min, info.max, 0, 1} <= values
    if dtype.is_signed:
        assert -1 in values


def test_bool_both_values_and_unsigned_wide_types() -> None:
    values: set[bool] = set()
    for source in sample(sources("cpu", torch.bool), 60):
        values |= set(source.tensor.reshape(-1).tolist())
    assert values == {False, True}
    for name in ("uint16", "uint32", "uint64"):
        dtype = getattr(torch, name, None)
        if dtype is None:
            continue
        top = (1 << (dtype.itemsize * 8)) - 1
        seen: set[int] = set()
        for source in sample(sources("cpu", dtype), 80):
            seen |= unsigned_patterns(source.tensor)
        assert {0, top} <= seen, name


def test_float8_and_complex32_build() -> None:
    names = ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "complex32"]
    dtypes = [getattr(torch, name) for name in names if hasattr(torch, name)]
    assert dtypes
    for dtype in dtypes:
        seen: set[int] = set()
        for source in sample(sources("cpu", dtype), 40):
            assert source.tensor.dtype == dtype
            seen |= unsigned_patterns(source.tensor)
        assert len(seen) >= 4, dtype
        assert 0 in seen


def test_special_patterns_decode_as_named() -> None:
    specials = special_bit_patterns(torch.float32)
    as_floats = torch.tensor(specials, dtype=torch.int64).to(torch.int32).view(torch.float32)
    values = as_floats.tolist()
    assert math.copysign(1.0, values[1]) == -1.0 and values[1] == 0.0
    assert values[2] == math.inf and values[3] == -math.inf
    assert all(math.isnan(value) for value in values[4:9])
    assert 0.0 < values[9] < torch.finfo(torch.float32).tiny


def test_repr_shows_metadata_not_values() -> None:
    source = build_source((2, 3), torch.float32, "cpu", "transposed", pool=(0x7FC01234,))
    text = repr(source)
    for piece in ("layout='transposed'", "shape=(2, 3)", "stride=(1, 2)", "offset=0", "float32"):
        assert piece in text
    assert "nan" not in text


def test_generation_is_deterministic_in_its_recipe() -> None:
    first = build_source((4, 5), torch.float32, "cpu", "sliced", pool=(1, 2, 3), seed=7, choice=1)
    second = build_source((4, 5), torch.float32, "cpu", "sliced", pool=(1, 2, 3), seed=7, choice=1)
    assert torch.equal(to_bits(first.tensor), to_bits(second.tensor))
    assert first.tensor.stride() == second.tensor.stride()


@given(
    st.sampled_from([torch.float32, torch.float16, torch.complex64]).flatmap(
        lambda dtype: sources("cpu", dtype)
    ),
    st.data(),
)
@settings(max_examples=60, database=None, deadline=None)
def test_upstream_gradients_match_their_output(source: Source, data: st.DataObject) -> None:
    grad = data.draw(upstream_gradients(source.tensor))
    assert grad.shape == source.tensor.shape
    assert grad.dtype == source.tensor.dtype and grad.device == source.tensor.device


def test_upstream_gradients_reach_special_values_and_layouts() -> None:
    like = torch.empty(3, 4)
    grads = sample(upstream_gradients(like), 150)
    assert any(grad.is_contiguous() for grad in grads)
    assert any(not grad.is_contiguous() for grad in grads)
    seen: set[int] = set()
    for grad in grads:
        seen |= unsigned_patterns(grad)
    kinds = {classify(pattern, 8, 23) for pattern in seen}
    assert {"-0", "+inf", "-inf", "nan", "subnormal"} <= kinds
    meta = sample(upstream_gradients(torch.empty(2, 3, device="meta")), 20)
    assert all(grad.device.type == "meta" and grad.shape == (2, 3) for grad in meta)


@given(st.sampled_from(LAYOUTS).flatmap(
    lambda layout: st.tuples(st.just(layout), shapes(
        min_rank=layout_shapes(layout).min_rank, max_rank=layout_shapes(layout).max_rank,
        allow_zero=layout_shapes(layout).allow_zero, max_elements=24,
    ), st.integers(0, 7))
))
@settings(max_examples=150, database=None, deadline=None)
def test_layout_shapes_adjust_a_drawn_shape_to_admit_the_layout(
    drawn: tuple[str, tuple[int, ...], int],
) -> None:
    """The one description of each layout's shapes (used by the strategy and the recipe):
    any shape within its bounds, adjusted, admits the layout with strides that differ."""
    layout, shape, at = drawn
    adjusted = layout_shapes(layout).adjust(shape, at)
    assert len(adjusted) == len(shape)
    assert layout in applicable_layouts(adjusted), (layout, shape, adjusted)
    if layout == "transposed":  # extents of 1 raised (0 stays: a zero-size tensor)
        assert 1 not in adjusted[-2:]
    if layout == "channels_last":
        assert adjusted[1] != 1 and any(extent != 1 for extent in adjusted[2:])


def test_layout_shapes_reject_an_unknown_layout() -> None:
    with pytest.raises(ValueError, match="unknown layout"):
        layout_shapes("diagonal")


def test_component_dtype_is_the_real_part_of_complex() -> None:
    assert component_dtype(torch.complex64) == torch.float32
    assert component_dtype(torch.complex128) == torch.float64
    assert component_dtype(torch.complex32) == torch.float16
    assert component_dtype(torch.int16) == torch.int16


PATTERN_DTYPES = [torch.float32, torch.float64, torch.float16, torch.complex64, torch.complex32,
                  torch.float8_e4m3fn, torch.bool, torch.int64, torch.uint8]


@pytest.mark.parametrize("dtype", PATTERN_DTYPES, ids=str)
def test_source_from_patterns_has_build_sources_layouts(dtype: torch.dtype) -> None:
    """The list fill cuts every layout as build_source does: the same shape, strides and
    offset for the same arguments (cpu and meta), with an ordinary, resizable storage."""
    for shape in [(2, 3, 2, 2), (3, 1, 4, 2), (0, 3, 2, 1), (5,), ()]:
        for layout in applicable_layouts(shape):
            for choice in (0, 1, 5, 23):
                for device in ("cpu", "meta"):
                    built = build_source(shape, dtype, device, layout, choice=choice).tensor
                    listed = source_from_patterns(shape, dtype, device, layout,
                                                  lambda count: [1] * count, choice=choice)
                    got = listed.tensor
                    assert listed.layout == layout
                    assert (got.shape, got.stride(), got.storage_offset(), got.dtype,
                            got.device) == (built.shape, built.stride(), built.storage_offset(),
                                            built.dtype, built.device), (shape, layout, choice)
    tensor = source_from_patterns((3, 4), dtype, "cpu", "transposed",
                                  lambda count: [1] * count).tensor
    tensor.untyped_storage().resize_(0)  # build_source's storages can be resized too
    assert tensor.untyped_storage().nbytes() == 0


def cut_with_view_ops(flat: torch.Tensor, shape: tuple[int, ...], layout: str,
                      choice: int) -> torch.Tensor:
    """The oracle: ``layout`` cut out of the contiguous storage ``flat`` with torch's own view
    ops (and, for channels-last, its own copy), as the layouts are described."""
    rank = len(shape)
    if layout == "offset":
        offset = 1 + choice % 3
        return flat[offset:].view(shape)
    if layout == "transposed":
        return flat.view(*shape[:-2], shape[-1], shape[-2]).transpose(-1, -2)
    if layout == "permuted":
        perm = _permutation(shape, choice)  # which permutation is the strategy's choice
        return flat.view([shape[dim] for dim in perm]).permute(
            [perm.index(dim) for dim in range(rank)])
    if layout == "sliced":
        dim = choice % rank
        stored = list(shape)
        stored[dim] = 2 * shape[dim] - 1 if shape[dim] else 0
        index = [slice(None)] * rank
        index[dim] = slice(None, None, 2)
        return flat.view(stored)[tuple(index)]
    if layout == "expanded":
        dims = [dim for dim, extent in enumerate(shape) if extent != 1]
        stored = list(shape)
        stored[dims[choice % len(dims)]] = 1
        return flat.view(stored).expand(shape)
    if layout == "channels_last":
        return flat.view(shape).clone(memory_format=torch.channels_last)
    return flat.view(shape)


@pytest.mark.parametrize("dtype", [torch.float32, torch.complex64, torch.bool], ids=str)
def test_layouts_equal_torchs_own_view_ops(dtype: torch.dtype) -> None:
    """Each layout's shape, strides, offset, storage size and values (in index order) are
    those torch's view ops give when cutting the same storage (the strides are worked out
    arithmetically, so the arithmetic is checked against torch here)."""
    shapes_tried = [(), (0,), (1,), (5,), (2, 3), (3, 1), (1, 4), (0, 3), (2, 0), (2, 3, 4),
                    (3, 1, 2), (2, 1, 1, 3), (2, 3, 2, 2), (3, 1, 4, 2), (0, 3, 2, 1),
                    (5, 0, 7, 1), (1, 2, 1, 3, 1, 2), (2, 3, 1, 2, 2, 1, 2, 1)]
    checked = 0
    for shape in shapes_tried:
        for layout in applicable_layouts(shape):
            for choice in range(6):
                made = build_source(shape, dtype, "cpu", layout, pool=(0, 1, 2, 3) if dtype !=
                                    torch.bool else (0, 1), seed=choice, choice=choice).tensor
                storage = made.untyped_storage()
                flat = torch.empty(0, dtype=dtype).set_(
                    storage, 0, (storage.nbytes() // dtype.itemsize,))
                if layout == "channels_last":  # torch copies: its storage holds NCHW order
                    flat = made.contiguous().reshape(-1)
                    expected = cut_with_view_ops(flat, shape, layout, choice)
                    assert made.stride() == expected.stride(), (shape, choice)
                else:
                    expected = cut_with_view_ops(flat, shape, layout, choice)
                    assert (made.stride(), made.storage_offset()) == (
                        expected.stride(), expected.storage_offset()), (shape, layout, choice)
                assert made.shape == expected.shape
                assert first_bitwise_difference(made, expected) is None
                checked += 1
    assert checked > 300


@pytest.mark.parametrize("dtype", PATTERN_DTYPES, ids=str)
def test_source_from_patterns_stores_the_patterns_bit_for_bit(dtype: torch.dtype) -> None:
    """Every pattern lands unchanged in storage order: NaN payloads, signed zeros, the
    largest unsigned values (complex: real and imaginary part in turn)."""
    specials = special_bit_patterns(dtype)
    asked: list[int] = []

    def patterns(count: int) -> list[int]:
        asked.append(count)
        return [specials[i % len(specials)] for i in range(count)]

    source = source_from_patterns((7, 3), dtype, "cpu", "offset", patterns, choice=1)
    storage = source.tensor.untyped_storage()
    flat = torch.empty(0, dtype=dtype).set_(storage, 0, (storage.nbytes() // dtype.itemsize,))
    width = component_dtype(dtype).itemsize * 8
    stored = [value & ((1 << width) - 1) for value in to_bits(flat).reshape(-1).tolist()]
    assert asked == [len(stored)]
    assert stored == [specials[i % len(specials)] for i in range(len(stored))]
    assert source.tensor.storage_offset() == 2


def test_source_from_patterns_rejects_a_wrong_count_and_a_wrong_layout() -> None:
    with pytest.raises(ValueError, match="needs 24 bit patterns, got 23"):
        source_from_patterns((3, 4), torch.complex64, "cpu", "contiguous",
                             lambda count: [0] * (count - 1))
    with pytest.raises(ValueError, match="does not apply"):
        source_from_patterns((5,), torch.float32, "cpu", "transposed", lambda count: [0] * count)
    assert LIST_FILL_LIMIT >= 24 * 4  # recipes' shapes (a few dozen elements) use the list


@pytest.mark.parametrize("dtype", [torch.float32, torch.complex64, torch.float16], ids=str)
def test_a_flipped_bit_is_found_in_every_layout(dtype: torch.dtype) -> None:
    """The bit comparison reads non-contiguous tensors (zero strides, steps, offsets, any
    permutation) in place: one flipped bit anywhere is found, equal bits are equal."""
    width = component_dtype(dtype).itemsize * 8
    for layout in applicable_layouts((2, 3, 2, 2)):
        for choice in range(4):
            tensor = build_source((2, 3, 2, 2), dtype, "cpu", layout, pool=(0, 1 << (width - 1)),
                                  seed=choice, choice=choice).tensor
            twin = build_source((2, 3, 2, 2), dtype, "cpu", layout, pool=(0, 1 << (width - 1)),
                                seed=choice, choice=choice).tensor
            assert first_bitwise_difference(tensor, twin) is None
            flipped = to_bits(tensor).reshape(-1)
            position = (7 * choice + 5) % flipped.numel()
            flipped[position] ^= 1
            changed = flipped.view(tensor.dtype if not dtype.is_complex else component_dtype(dtype))
            if dtype.is_complex:
                changed = torch.view_as_complex(changed.reshape(*tensor.shape, 2))
            else:
                changed = changed.reshape(tensor.shape)
            found = first_bitwise_difference(tensor, changed)
            assert found is not None and "first difference" in found, (layout, choice)
