"""Bit-for-bit tensor comparison: the one equality used wherever C-3 and G-1 matter.

``torch.equal`` calls ``-0.0`` equal to ``0.0`` and every NaN unequal to itself, so it
can neither see a flipped sign bit nor a changed NaN payload. Here both tensors are
made contiguous, viewed as an integer dtype of the same element width, and compared
as integers:

==========================================  =====================================
dtype                                        compared as
==========================================  =====================================
bool, uint8, float8 (any 1-byte dtype)       uint8
float16, bfloat16, int16, uint16             int16
float32, int32, uint32                       int32
float64, int64, uint64                       int64
complex32 / complex64 / complex128           ``view_as_real``, then int16/32/64
==========================================  =====================================

Meta tensors carry no values: for them (when either side is on ``meta``) only the
shape and dtype are compared, and equal metadata counts as equal.
"""

from __future__ import annotations

import torch

__all__ = [
    "bitwise_equal",
    "first_bitwise_difference",
    "integer_view_dtype",
    "to_bits",
]

_BY_WIDTH: dict[int, torch.dtype] = {
    1: torch.uint8,
    2: torch.int16,
    4: torch.int32,
    8: torch.int64,
}


def integer_view_dtype(dtype: torch.dtype) -> torch.dtype:
    """The integer dtype whose elements have the width of one (real) component of ``dtype``.

    For a complex dtype that is the width of its real part, because complex tensors are
    compared through ``torch.view_as_real``.
    """
    try:
        return _VIEW_DTYPES[dtype]
    except KeyError:
        pass
    width = dtype.itemsize // 2 if dtype.is_complex else dtype.itemsize
    try:
        found = _VIEW_DTYPES[dtype] = _BY_WIDTH[width]
    except KeyError:
        raise TypeError(f"no integer dtype of width {width} bytes for {dtype}") from None
    return found


# integer_view_dtype runs twice per compared pair: a table beats recomputing the width.
_VIEW_DTYPES: dict[torch.dtype, torch.dtype] = {}


def to_bits(tensor: torch.Tensor) -> torch.Tensor:
    """A contiguous integer tensor holding ``tensor``'s bit patterns (on its own device).

    Complex tensors gain a trailing dimension of size 2 (real, imaginary).
    """
    flat = tensor.detach().contiguous()
    if flat.dtype.is_complex:
        flat = torch.view_as_real(flat)
    bits_dtype = integer_view_dtype(tensor.dtype)
    if flat.dtype == bits_dtype:
        return flat.clone()
    return flat.clone().view(bits_dtype)


def _bit_view(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor``'s bits as integers, a view in any layout: reinterpreting an element as an
    integer of its own width needs no particular strides, so nothing is copied."""
    flat = tensor.detach() if tensor.requires_grad else tensor  # (detach costs more than the view)
    if flat.dtype.is_complex:
        flat = torch.view_as_real(flat.resolve_conj())
    return flat.view(integer_view_dtype(tensor.dtype))


def _metadata_difference(a: torch.Tensor, b: torch.Tensor) -> str | None:
    if a.dtype != b.dtype:
        return f"dtype differs: {a.dtype} vs {b.dtype}"
    if a.shape != b.shape:  # torch.Size is a tuple: compared without copying
        return f"shape differs: {tuple(a.shape)} vs {tuple(b.shape)}"
    return None


def _hex(pattern: int, bits: int) -> str:
    return f"0x{pattern & ((1 << bits) - 1):0{bits // 4}x}"


def first_bitwise_difference(a: torch.Tensor, b: torch.Tensor) -> str | None:
    """None when ``a`` and ``b`` agree bit for bit, else a description of the first difference.

    A dtype or shape mismatch is reported as such. Otherwise the description names the
    first differing element in row-major order by its multi-dimensional index (plus
    ``real``/``imag`` for complex), both bit patterns in hex and both values. On ``meta``
    only shape and dtype are compared (see the module docstring).
    """
    if a.dtype != b.dtype or a.shape != b.shape:
        return _metadata_difference(a, b)
    if a.is_meta or b.is_meta or a.numel() == 0:  # (is_meta: no device object to build)
        return None
    if a.device == b.device and torch.equal(_bit_view(a), _bit_view(b)):
        return None  # the common case, without copies; describe a difference below
    bits_a = to_bits(a).cpu()
    bits_b = to_bits(b).cpu()
    differs = (bits_a != bits_b).reshape(-1)
    if not bool(differs.any()):
        return None
    bit_index = int(differs.nonzero()[0, 0])
    flat_index, component = bit_index, ""
    if a.dtype.is_complex:
        flat_index, part = divmod(bit_index, 2)
        component = " (real part)" if part == 0 else " (imag part)"
    index = _unravel(flat_index, tuple(a.shape))
    width = bits_a.element_size() * 8
    pattern_a = int(bits_a.reshape(-1)[bit_index])
    pattern_b = int(bits_b.reshape(-1)[bit_index])
    value_a = _value(a, index)
    value_b = _value(b, index)
    return (
        f"first difference at index {index}{component}: "
        f"{_hex(pattern_a, width)} ({value_a}) vs {_hex(pattern_b, width)} ({value_b})"
    )


def _unravel(flat_index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    index: list[int] = []
    for extent in reversed(shape):
        flat_index, position = divmod(flat_index, extent)
        index.append(position)
    return tuple(reversed(index))


def _value(tensor: torch.Tensor, index: tuple[int, ...]) -> str:
    element = tensor.detach()[index] if index else tensor.detach()
    try:
        return repr(element.cpu().item())
    except (RuntimeError, TypeError):  # dtypes without a Python scalar (float8, ...)
        return repr(element.cpu().to(torch.float64).item())


def bitwise_equal(a: torch.Tensor, b: torch.Tensor) -> bool:
    """True when ``a`` and ``b`` have the same shape, dtype and bit patterns (meta: metadata)."""
    return first_bitwise_difference(a, b) is None
