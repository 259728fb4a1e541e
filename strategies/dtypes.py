"""Dtypes the installed torch offers on a device, tagged for the suite.

Which dtypes are offered is decided by asking torch at run time (cached per device), not
by a hand-written list: a dtype is kept when the operations the suite relies on work for
it on that device (allocation, ``zeros``, ``fill_``, ``copy_``, ``set_`` onto a zero-byte
placeholder, an integer view of the same width for bitwise comparison, and ``view_as_real``
for complex). Whether it can require grad is asked the same way. Dtypes serve P-2 and
P-7 (placeholder metadata, invalid requests) and C-3/G-1 (bitwise values).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import torch
from hypothesis import strategies as st

from strategies.bitwise import integer_view_dtype
from strategies.reuse import reused

__all__ = ["CANDIDATE_DTYPE_NAMES", "FAMILIES", "DtypeInfo", "dtypes", "supported_dtypes"]

FAMILIES: tuple[str, ...] = ("float", "complex", "int", "uint", "bool", "float8")

CANDIDATE_DTYPE_NAMES: tuple[str, ...] = (
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "complex64",
    "complex128",
    "complex32",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
)
"""Names probed on ``torch`` (missing ones are skipped), simplest first."""


@dataclass(frozen=True)
class DtypeInfo:
    """A dtype offered on some device: whether it can require grad, and its family."""

    dtype: torch.dtype
    can_require_grad: bool
    family: str

    @property
    def bits(self) -> int:
        """Width in bits of one element (of one component for complex)."""
        size = self.dtype.itemsize // 2 if self.dtype.is_complex else self.dtype.itemsize
        return size * 8

    def __repr__(self) -> str:
        grad = "grad" if self.can_require_grad else "no-grad"
        return f"DtypeInfo({self.dtype}, {self.family}, {grad})"


def family_of(dtype: torch.dtype) -> str:
    """One of :data:`FAMILIES`."""
    if dtype == torch.bool:
        return "bool"
    if dtype.is_complex:
        return "complex"
    if dtype.is_floating_point:
        return "float8" if dtype.itemsize == 1 else "float"
    return "int" if dtype.is_signed else "uint"


def _works_on(dtype: torch.dtype, device: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            probe = torch.empty(2, 3, dtype=dtype, device=device)
            torch.zeros(2, dtype=dtype, device=device).fill_(0)
            torch.empty(3, 2, dtype=dtype, device=device).copy_(probe.t())
            copy = probe.t().contiguous()
            placeholder = torch.empty(2, 3, dtype=dtype, device=device)
            placeholder.untyped_storage().resize_(0)
            placeholder.set_(copy)  # type: ignore[call-overload]
            real = torch.view_as_real(probe) if dtype.is_complex else probe
            real.contiguous().view(integer_view_dtype(dtype))
            bits = torch.zeros(2, dtype=integer_view_dtype(dtype), device=device)
            if not dtype.is_complex:
                bits.view(dtype)
    except (RuntimeError, TypeError, NotImplementedError):
        return False
    return True


def _can_require_grad(dtype: torch.dtype, device: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.empty(1, dtype=dtype, device=device).requires_grad_(True)
    except RuntimeError:
        return False
    return True


@functools.lru_cache(maxsize=16)
def supported_dtypes(device: str) -> tuple[DtypeInfo, ...]:
    """Every candidate dtype torch offers on ``device`` as the suite needs it, simplest first."""
    found: list[DtypeInfo] = []
    for name in CANDIDATE_DTYPE_NAMES:
        dtype = getattr(torch, name, None)
        if not isinstance(dtype, torch.dtype) or not _works_on(dtype, device):
            continue
        found.append(DtypeInfo(dtype, _can_require_grad(dtype, device), family_of(dtype)))
    return tuple(found)


@reused  # not cached with a ``where`` predicate (a callable is no key)
def dtypes(
    device: str,
    *,
    requires_grad: bool | None = None,
    families: tuple[str, ...] = FAMILIES,
    where: Callable[[DtypeInfo], bool] | None = None,
) -> st.SearchStrategy[DtypeInfo]:
    """Draw a :class:`DtypeInfo` supported on ``device``; shrinks towards float32.

    The candidates are :func:`dtype_choices` with the same filters, narrowed before
    drawing, so nothing is rejected while drawing (batches of cases stay cheap).
    """
    return st.sampled_from(
        dtype_choices(device, requires_grad=requires_grad, families=families, where=where)
    )


def dtype_choices(
    device: str,
    *,
    requires_grad: bool | None = None,
    families: tuple[str, ...] = FAMILIES,
    where: Callable[[DtypeInfo], bool] | None = None,
) -> tuple[DtypeInfo, ...]:
    """The dtypes supported on ``device``, simplest first, narrowed by the filters.

    ``requires_grad=True`` keeps only dtypes that can require grad, ``False`` only those
    that cannot (the P-7 rejections), ``None`` all; ``families`` and the predicate
    ``where`` narrow further. Raises ``ValueError`` when nothing is left.
    """
    infos = _filtered(str(torch.device(device)), requires_grad, families)
    if where is not None:
        infos = tuple(info for info in infos if where(info))
    if not infos:
        raise ValueError(
            f"no dtype on {device} with requires_grad={requires_grad} in families {families}"
        )
    return infos


@functools.lru_cache(maxsize=256)
def _filtered(
    device: str, requires_grad: bool | None, families: tuple[str, ...]
) -> tuple[DtypeInfo, ...]:
    return tuple(
        info
        for info in supported_dtypes(device)
        if info.family in families
        and (requires_grad is None or info.can_require_grad == requires_grad)
    )
