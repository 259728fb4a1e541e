"""Public Hypothesis strategies for the create-parameter conformance suite.

Shapes (P-2, P-3, P-5, C-2)
    ``shapes(*, min_rank=0, max_rank=8, max_elements=64, max_side=None, allow_zero=True,
    large_elements=None)``; ``large_budget(device)``, ``boundary_shapes(budget)`` (size bands)
Dtypes (P-2, P-7, C-3, G-1), probed on the installed torch and cached per device
    ``supported_dtypes(device) -> tuple[DtypeInfo, ...]``;
    ``dtypes(device, *, requires_grad=None, families=FAMILIES)``;
    ``DtypeInfo(dtype, can_require_grad, family)``
Devices
    ``available_devices()``, ``parse_devices("cpu,meta")``, ``devices(allowed)``,
    ``has_data(device)`` (False on meta: metadata-only checks there)
Placeholder requests (P-1 .. P-8)
    ``PlaceholderRequest(size, dtype, device, requires_grad)``;
    ``placeholder_requests(devices, *, requires_grad=None, size=None, max_elements=64)``;
    ``InvalidPlaceholderRequest(request, reason)``; ``invalid_placeholder_requests(devices)``
Source tensors (C-1, C-2 layouts; C-3, G-1 special values)
    ``Source(tensor, layout)``; ``sources(device, dtype, shape=None, *, layouts=LAYOUTS)``;
    ``upstream_gradients(like, *, layouts=LAYOUTS)``; ``build_source(...)``;
    ``special_bit_patterns(dtype)``; ``applicable_layouts(shape)``
Grad modes (C-4, C-5, P-8; the inference-mode findings and the C-7 proposal)
    ``GradMode(name)`` with ``enter()``, ``expected_grad_enabled``,
    ``expected_inference_mode``; ``grad_modes(*, max_depth=3, include_inference=True)``

Bitwise comparison lives in :mod:`strategies.bitwise`.
"""

from strategies.devices import KNOWN_DEVICES, available_devices, devices, has_data, parse_devices
from strategies.dtypes import FAMILIES, DtypeInfo, dtypes, supported_dtypes
from strategies.grad_modes import COMMON_GRAD_MODES, PRIMITIVE_MODES, GradMode, grad_modes
from strategies.requests import (
    INVALID_REASONS,
    InvalidPlaceholderRequest,
    PlaceholderRequest,
    invalid_placeholder_requests,
    placeholder_requests,
)
from strategies.shapes import (
    DEFAULT_MAX_ELEMENTS,
    MAX_RANK,
    Shape,
    boundary_shapes,
    large_budget,
    shapes,
)
from strategies.tensors import (
    LAYOUTS,
    Source,
    applicable_layouts,
    build_source,
    sources,
    special_bit_patterns,
    upstream_gradients,
)

__all__ = [
    "COMMON_GRAD_MODES",
    "DEFAULT_MAX_ELEMENTS",
    "FAMILIES",
    "INVALID_REASONS",
    "KNOWN_DEVICES",
    "LAYOUTS",
    "MAX_RANK",
    "PRIMITIVE_MODES",
    "DtypeInfo",
    "GradMode",
    "InvalidPlaceholderRequest",
    "PlaceholderRequest",
    "Shape",
    "Source",
    "applicable_layouts",
    "available_devices",
    "boundary_shapes",
    "build_source",
    "devices",
    "dtypes",
    "grad_modes",
    "has_data",
    "invalid_placeholder_requests",
    "large_budget",
    "parse_devices",
    "placeholder_requests",
    "shapes",
    "sources",
    "special_bit_patterns",
    "supported_dtypes",
    "upstream_gradients",
]
