"""Devices the suite can run on, and a strategy over them.

``cpu`` and ``meta`` are always available; ``cuda``, ``mps`` and ``xpu`` when the installed
torch reports them. ``meta`` tensors carry no data, so value clauses (C-3, G-1) reduce to
metadata checks there: see :func:`has_data`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import torch
from hypothesis import strategies as st

from strategies.reuse import reused

__all__ = ["KNOWN_DEVICES", "available_devices", "devices", "has_data", "parse_devices"]

KNOWN_DEVICES: tuple[str, ...] = ("cpu", "meta", "cuda", "mps", "xpu")
"""Every device type name this suite knows about, available here or not."""


def _accelerator_available(name: str) -> bool:
    try:
        if name == "cuda":
            return bool(torch.cuda.is_available())
        if name == "mps":
            return bool(torch.backends.mps.is_available())
        if name == "xpu":
            xpu = getattr(torch, "xpu", None)
            return bool(xpu is not None and xpu.is_available())
    except (RuntimeError, AttributeError):  # a broken backend counts as absent
        return False
    return False


@functools.lru_cache(maxsize=1)
def available_devices() -> tuple[str, ...]:
    """``("cpu", "meta")`` plus each of ``cuda``, ``mps``, ``xpu`` that torch can use here."""
    extra = tuple(name for name in ("cuda", "mps", "xpu") if _accelerator_available(name))
    return ("cpu", "meta", *extra)


def _validate(name: str) -> str:
    available = available_devices()
    listing = ", ".join(available)
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {name!r}; available: {listing}") from None
    if device.type not in KNOWN_DEVICES:
        raise ValueError(f"unknown device {name!r}; available: {listing}")
    if device.type not in available:
        raise ValueError(f"device {name!r} is not available on this machine; available: {listing}")
    if device.index is not None:
        if device.type in ("cpu", "meta") and device.index != 0:
            raise ValueError(f"device {name!r} has no index {device.index}; available: {listing}")
        if device.type == "cuda" and device.index >= torch.cuda.device_count():
            raise ValueError(
                f"device {name!r}: only {torch.cuda.device_count()} cuda device(s) present"
            )
    return str(device)


def parse_devices(spec: str) -> tuple[str, ...]:
    """Parse a comma-separated device list such as ``"cpu,meta"`` (order kept, duplicates dropped).

    Raises ``ValueError`` naming the available devices for an empty list, an unknown name,
    or a device this machine lacks.
    """
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        listing = ", ".join(available_devices())
        raise ValueError(f"no device given in {spec!r}; available: {listing}")
    return tuple(dict.fromkeys(_validate(name) for name in names))


def has_data(device: str | torch.device) -> bool:
    """False for ``meta`` (tensors there have metadata only), True for every real device."""
    return torch.device(device).type != "meta"


@reused  # a tuple of names is a key; a list is not, and is validated on every call
def devices(allowed: Sequence[str]) -> st.SearchStrategy[str]:
    """Draw one of ``allowed`` (validated as by :func:`parse_devices`); shrinks to the first."""
    validated = tuple(dict.fromkeys(_validate(name) for name in allowed))
    if not validated:
        raise ValueError(f"no device allowed; available: {', '.join(available_devices())}")
    return st.sampled_from(validated)
