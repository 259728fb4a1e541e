"""Device names the suite can draw from (placeholder until the strategies land)."""

from __future__ import annotations

import torch


def available_devices() -> tuple[str, ...]:
    found = ["cpu", "meta"]
    if torch.cuda.is_available():
        found.append("cuda")
    return tuple(found)


def parse_devices(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in available_devices()]
    if unknown or not names:
        raise ValueError(
            f"unavailable device(s) {unknown or text!r}; available: {', '.join(available_devices())}"
        )
    return names


def has_data(device: str) -> bool:
    return device != "meta"
