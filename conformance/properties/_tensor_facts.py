"""Facts about tensors that properties compare, as plain values or yes/no answers.

Storage identity (C-1, P-6, E-2), the metadata snapshot that C-6, G-2 and P-6 compare before
and after a call, the addressed layout C-2 fixes, what P-2 .. P-5 fix about a placeholder,
bit-exact copies (C-3, C-7, G-1, G-3) and whether torch adds a dtype on a device (G-3).
Nothing here checks a clause by itself.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import torch


def storage_id(tensor: torch.Tensor) -> int:
    """Identity of the storage object behind ``tensor`` (equal iff shared, also on meta)."""
    return int(tensor.untyped_storage()._cdata)


@dataclass(frozen=True)
class Metadata:
    """Everything C-6 and P-6 promise to leave unchanged, as one comparable value."""

    shape: tuple[int, ...]
    stride: tuple[int, ...]
    offset: int
    dtype: torch.dtype
    device: str
    requires_grad: bool
    nbytes: int
    data_ptr: int
    storage: int

    @classmethod
    def of(cls, tensor: torch.Tensor) -> Metadata:
        storage = tensor.untyped_storage()
        return cls(
            tuple(tensor.shape), tuple(tensor.stride()), int(tensor.storage_offset()), tensor.dtype,
            str(tensor.device), tensor.requires_grad, storage.nbytes(), storage.data_ptr(),
            storage_id(tensor),
        )

    def differences(self, other: Metadata) -> str:
        """``field: self -> other`` for every field that differs."""
        changed = [
            f"{name}: {getattr(self, name)} -> {getattr(other, name)}"
            for name in self.__dataclass_fields__
            if getattr(self, name) != getattr(other, name)
        ]
        return "; ".join(changed) or "nothing"


def addressed_layout(tensor: torch.Tensor) -> dict[str, object]:
    """Shape, offset, dtype, device and the strides of dims of extent > 1 (C-2: the stride
    of an extent-1 dim addresses nothing and may differ)."""
    return {
        "shape": tuple(tensor.shape),
        "stride": tuple(
            stride if extent != 1 else "*"
            for extent, stride in zip(tensor.shape, tensor.stride(), strict=True)
        ),
        "offset": tensor.storage_offset(),
        "dtype": tensor.dtype,
        "device": str(tensor.device),
    }


def describe_placeholder(tensor: torch.Tensor) -> dict[str, object]:
    """What P-2 .. P-5 fix about a placeholder, as a comparable value."""
    return {
        "type": type(tensor).__name__,
        "shape": tuple(tensor.shape),
        "stride": tuple(tensor.stride()),
        "offset": tensor.storage_offset(),
        "dtype": tensor.dtype,
        "device": str(tensor.device),
        "requires_grad": tensor.requires_grad,
        "nbytes": tensor.untyped_storage().nbytes(),
        "is_leaf": tensor.is_leaf,
        "grad is None": tensor.grad is None,
        "grad_fn is None": tensor.grad_fn is None,
    }


def clone_exact(tensor: torch.Tensor) -> torch.Tensor:
    """A detached copy of ``tensor`` with the same bits (copies move bits, never round).

    A clone of a tensor that does not require grad (detached first if it does) records no
    graph, so no ``no_grad`` block is needed (entering one costs more than the clone of a
    small tensor; so does ``detach``, skipped where there is nothing to detach from)."""
    return (tensor.detach() if tensor.requires_grad else tensor).clone()


@functools.lru_cache(maxsize=64)
def can_add(dtype: torch.dtype, device: str) -> bool:
    """Whether torch adds two tensors of ``dtype`` on ``device`` (needed for G-3)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = torch.zeros(2, dtype=dtype, device=device)
            a += torch.zeros(2, dtype=dtype, device=device)
            _ = a + a
    except (RuntimeError, TypeError, NotImplementedError):
        return False
    return True
