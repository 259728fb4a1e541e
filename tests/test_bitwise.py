"""The bitwise comparison helper sees what ``torch.equal`` hides, and says where."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.bitwise import (
    bitwise_equal,
    first_bitwise_difference,
    integer_view_dtype,
    to_bits,
)
from strategies.dtypes import supported_dtypes
from strategies.tensors import Source, sources


def from_bits(bits: list[int], dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.tensor(bits, dtype=torch.int64).to(integer_view_dtype(dtype)).view(dtype)


def test_signed_zeros_differ_although_torch_equal_says_equal() -> None:
    plus, minus = torch.tensor([0.0]), torch.tensor([-0.0])
    assert torch.equal(plus, minus)
    assert not bitwise_equal(plus, minus)
    message = first_bitwise_difference(plus, minus)
    assert message is not None
    assert "(0,)" in message and "0x00000000" in message and "0x80000000" in message


def test_nan_payloads_differ_and_equal_nans_are_equal() -> None:
    first = from_bits([0x7FC00001, 0x7FC00000])
    second = from_bits([0x7FC00001, 0xFFC01234 - (1 << 32)])
    assert not torch.equal(first, first)  # NaN != NaN numerically
    assert bitwise_equal(first, first.clone())
    message = first_bitwise_difference(first, second)
    assert message is not None
    assert "(1,)" in message and "0x7fc00000" in message and "0xffc01234" in message
    assert "nan" in message


def test_reports_multi_dimensional_index_of_first_difference() -> None:
    a = torch.zeros(2, 3, 4)
    b = a.clone()
    b[1, 2, 3] = 5.0
    b[1, 2, 0] = -0.0  # earlier in row-major order: this one is reported
    message = first_bitwise_difference(a, b)
    assert message is not None and "(1, 2, 0)" in message
    assert message.startswith("first difference at index (1, 2, 0)")


def test_complex_names_the_component() -> None:
    a = torch.zeros(2, 2, dtype=torch.complex64)
    b = a.clone()
    b[0, 1] = complex(0.0, -0.0)
    message = first_bitwise_difference(a, b)
    assert message is not None and "(0, 1)" in message and "imag" in message


def test_zero_d_zero_size_and_metadata_mismatch() -> None:
    assert bitwise_equal(torch.tensor(1.5), torch.tensor(1.5))
    message = first_bitwise_difference(torch.tensor(0.0), torch.tensor(-0.0))
    assert message is not None and "index ()" in message
    assert bitwise_equal(torch.empty(0, 3), torch.empty(0, 3))
    shape_message = first_bitwise_difference(torch.empty(0, 3), torch.empty(3, 0))
    assert shape_message is not None and "shape" in shape_message
    dtype_message = first_bitwise_difference(torch.zeros(2), torch.zeros(2, dtype=torch.int32))
    assert dtype_message is not None and "dtype" in dtype_message


def test_meta_compares_metadata_only() -> None:
    meta = torch.empty(2, 3, device="meta")
    assert bitwise_equal(meta, torch.empty(2, 3, device="meta"))
    assert bitwise_equal(meta, torch.full((2, 3), -0.0))
    assert not bitwise_equal(meta, torch.empty(3, 2, device="meta"))


def test_non_contiguous_inputs_compare_by_logical_element() -> None:
    base = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    assert bitwise_equal(base.t(), base.t().contiguous())
    assert not bitwise_equal(base.t(), base.contiguous().reshape(3, 2))


def test_integer_view_widths() -> None:
    expected = {
        torch.bool: torch.uint8,
        torch.float16: torch.int16,
        torch.bfloat16: torch.int16,
        torch.float32: torch.int32,
        torch.float64: torch.int64,
        torch.complex64: torch.int32,
        torch.complex128: torch.int64,
        torch.int64: torch.int64,
    }
    for dtype, bits_dtype in expected.items():
        assert integer_view_dtype(dtype) == bits_dtype
    assert to_bits(torch.tensor(1 + 2j, dtype=torch.complex64)).shape == (2,)


@given(
    st.sampled_from([info.dtype for info in supported_dtypes("cpu")]).flatmap(
        lambda dtype: sources("cpu", dtype)
    ),
    st.integers(0, 10**6),
    st.integers(0, 63),
)
@settings(max_examples=150, database=None, deadline=None)
def test_one_flipped_bit_is_found_at_its_index_for_every_dtype(
    source: Source, position: int, bit: int
) -> None:
    tensor = source.tensor
    assert bitwise_equal(tensor, tensor.clone())
    if tensor.numel() == 0:
        assert first_bitwise_difference(tensor, tensor.clone()) is None
        return
    bits = to_bits(tensor)
    flat = bits.reshape(-1)
    index = position % flat.numel()
    width = flat.element_size() * 8
    if tensor.dtype == torch.bool:
        flip = 1  # other bytes are not valid bools
    elif bit % width == width - 1 and bits.dtype.is_signed:
        flip = -(1 << (width - 1))  # the sign bit of the integer view
    else:
        flip = 1 << (bit % width)
    flat[index] = flat[index] ^ flip
    changed = bits
    if tensor.dtype.is_complex:
        other = torch.view_as_complex(changed.view(_component(tensor.dtype)))
    else:
        other = changed.view(tensor.dtype)
    message = first_bitwise_difference(tensor, other)
    assert message is not None
    element = index // 2 if tensor.dtype.is_complex else index
    expected = tuple(
        int(i) for i in torch.unravel_index(torch.tensor(element), tuple(tensor.shape))
    )
    assert f"index {expected}" in message


def _component(dtype: torch.dtype) -> torch.dtype:
    return {torch.complex128: torch.float64, torch.complex64: torch.float32}.get(
        dtype, torch.float16
    )


@pytest.mark.parametrize("dtype", [info.dtype for info in supported_dtypes("cpu")])
def test_every_supported_dtype_round_trips(dtype: torch.dtype) -> None:
    tensor = torch.zeros(3, dtype=dtype)
    assert bitwise_equal(tensor, tensor.clone())
    assert to_bits(tensor).dtype == integer_view_dtype(dtype)


def test_tensors_that_require_grad_are_compared_by_their_bits() -> None:
    """A leaf that requires grad and a non-leaf with a graph are compared by their bits (the
    fast path skips detach for tensors that need none): equal bits are equal, a flipped
    sign is found, and neither tensor's graph changes."""
    leaf = torch.tensor([1.0, -0.0, float("nan")], requires_grad=True)
    grown = leaf * 1
    assert first_bitwise_difference(leaf, leaf.detach().clone()) is None
    assert first_bitwise_difference(grown, leaf) is None
    difference = first_bitwise_difference(leaf, torch.tensor([1.0, 0.0, float("nan")]))
    assert difference is not None and "(1,)" in difference
    assert leaf.grad_fn is None and grown.grad_fn is not None and leaf.is_leaf


def test_clone_exact_copies_every_bit_without_a_graph() -> None:
    """The gradients the properties hand to backward are exact copies in storages of their
    own, whether or not the original requires grad, and record no graph."""
    from conformance.properties._tensor_facts import clone_exact

    nan_payload = torch.tensor([0x7FC01234, -(2**31), 1], dtype=torch.int32).view(torch.float32)
    for original in (nan_payload, nan_payload.clone().requires_grad_(True)):
        copy = clone_exact(original)
        assert first_bitwise_difference(copy, original) is None
        assert copy.untyped_storage().data_ptr() != original.untyped_storage().data_ptr()
        assert not copy.requires_grad and copy.grad_fn is None
