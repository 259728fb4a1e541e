"""Small strategies for the foundation properties (superseded by ``strategies``)."""

from __future__ import annotations

import torch
from hypothesis import strategies as st

FLOAT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.complex64)
OTHER_DTYPES = (torch.int64, torch.int8, torch.uint8, torch.bool)

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)


@st.composite
def requests(draw: st.DrawFn, devices: tuple[str, ...]) -> tuple:
    requires_grad = draw(st.booleans())
    dtype = draw(st.sampled_from(FLOAT_DTYPES if requires_grad else FLOAT_DTYPES + OTHER_DTYPES))
    return draw(shapes), dtype, draw(st.sampled_from(devices)), requires_grad


def bits(tensor: torch.Tensor) -> torch.Tensor:
    flat = tensor.detach().contiguous().reshape(-1)
    if flat.is_complex():
        flat = torch.view_as_real(flat).reshape(-1)
    width = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[flat.element_size()]
    return flat.view(width)


def bitwise_equal(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.device.type == "meta":
        return True
    return bool(torch.equal(bits(a), bits(b)))


def source_like(shape: tuple, dtype: torch.dtype, device: str, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    values = torch.randn(shape, generator=generator, dtype=torch.float64) * 100
    return values.to(dtype).to(device)
