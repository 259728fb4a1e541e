"""Dtypes (probed from torch), devices and placeholder requests."""

from __future__ import annotations

import pytest
import torch
from hypothesis import find

import reference_impl
from strategies.devices import available_devices, devices, has_data, parse_devices
from strategies.dtypes import FAMILIES, DtypeInfo, dtypes, supported_dtypes
from strategies.requests import (
    INVALID_REASONS,
    PlaceholderRequest,
    invalid_placeholder_requests,
    placeholder_requests,
)
from tests.sampling import sample

DEVICES = ("cpu", "meta")




# --- dtypes ----------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
def test_supported_dtypes_cover_every_family_float32_first(device: str) -> None:
    infos = supported_dtypes(device)
    assert infos[0].dtype == torch.float32
    assert {info.family for info in infos} == set(FAMILIES)
    present = {info.dtype for info in infos}
    wanted = ["float64", "float16", "bfloat16", "complex64", "complex128", "bool"]
    wanted += ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
    wanted += ["float8_e4m3fn", "float8_e5m2"]
    for name in wanted:
        dtype = getattr(torch, name, None)
        if dtype is not None:
            assert dtype in present, name
    assert len(present) == len(infos)


@pytest.mark.parametrize("device", DEVICES)
def test_requires_grad_tag_matches_torch(device: str) -> None:
    for info in supported_dtypes(device):
        assert info.can_require_grad == (info.dtype.is_floating_point or info.dtype.is_complex)
        if info.family in ("int", "uint", "bool"):
            with pytest.raises(RuntimeError):
                torch.empty(1, dtype=info.dtype, device=device).requires_grad_(True)
        assert info.family != "float8" or info.dtype.itemsize == 1


def test_supported_dtypes_is_cached_per_device() -> None:
    assert supported_dtypes("cpu") is supported_dtypes("cpu")
    assert supported_dtypes("meta") is supported_dtypes("meta")


def test_dtypes_strategy_filters_and_reaches_every_family() -> None:
    every = sample(dtypes("cpu"))
    assert {info.family for info in every} == set(FAMILIES)
    grad = sample(dtypes("cpu", requires_grad=True))
    assert grad and all(info.can_require_grad for info in grad)
    no_grad = sample(dtypes("meta", requires_grad=False))
    assert {info.family for info in no_grad} == {"int", "uint", "bool"}
    assert find(dtypes("cpu"), lambda info: True).dtype == torch.float32
    only_complex = sample(dtypes("cpu", families=("complex",)))
    assert all(info.dtype.is_complex for info in only_complex)
    with pytest.raises(ValueError):
        dtypes("cpu", requires_grad=True, families=("bool",))


def test_dtype_info_is_frozen_and_reports_width() -> None:
    info = supported_dtypes("cpu")[0]
    assert isinstance(info, DtypeInfo) and info.bits == 32
    with pytest.raises(AttributeError):
        info.family = "int"  # type: ignore[misc]


# --- devices ---------------------------------------------------------------------------


def test_available_devices_and_parsing() -> None:
    assert available_devices()[:2] == ("cpu", "meta")
    assert parse_devices(" cpu, meta ,cpu") == ("cpu", "meta")
    assert has_data("cpu") and not has_data("meta") and not has_data(torch.device("meta"))
    drawn = sample(devices(["cpu", "meta"]), 50)
    assert set(drawn) == {"cpu", "meta"}


@pytest.mark.parametrize("spec", ["", "gpu", "cpu,tpu9", "cpu:3"])
def test_parse_devices_rejects_with_listing(spec: str) -> None:
    with pytest.raises(ValueError, match="available: cpu, meta"):
        parse_devices(spec)


def test_unavailable_accelerator_is_rejected() -> None:
    missing = [name for name in ("cuda", "mps", "xpu") if name not in available_devices()]
    if not missing:
        pytest.skip("every accelerator is available here")
    with pytest.raises(ValueError, match="not available"):
        parse_devices(f"cpu,{missing[0]}")
    with pytest.raises(ValueError):
        devices([missing[0]])


# --- placeholder requests --------------------------------------------------------------


def test_valid_requests_are_consistent_and_accepted_by_the_reference() -> None:
    drawn = sample(placeholder_requests(DEVICES), 150)
    assert {request.device for request in drawn} == set(DEVICES)
    assert any(request.requires_grad for request in drawn)
    assert any(not request.requires_grad and request.dtype.is_floating_point for request in drawn)
    for request in drawn:
        if request.requires_grad:
            assert request.dtype.is_floating_point or request.dtype.is_complex
        placeholder = request.call(reference_impl.new_parameter_placeholder)
        assert tuple(placeholder.shape) == request.size
        assert placeholder.requires_grad == request.requires_grad


def test_request_repr_reads_like_a_call_and_shrinks_simply() -> None:
    request = PlaceholderRequest((2, 0), torch.float16, "meta", True)
    assert repr(request) == (
        "new_parameter_placeholder(size=(2, 0), dtype=torch.float16, device='meta', "
        "requires_grad=True)"
    )
    simplest = find(placeholder_requests(DEVICES), lambda request: True)
    assert simplest == PlaceholderRequest((), torch.float32, "cpu", False)
    fixed = sample(placeholder_requests(["cpu"], requires_grad=True), 30)
    assert all(request.requires_grad for request in fixed)


def test_invalid_requests_each_raise_in_the_reference() -> None:
    drawn = sample(invalid_placeholder_requests(DEVICES), 150)
    assert {invalid.reason for invalid in drawn} == set(INVALID_REASONS)
    for invalid in drawn:
        request = invalid.request
        if invalid.reason == "negative size":
            assert min(request.size) < 0
        else:
            assert request.requires_grad and not request.dtype.is_floating_point
            assert not request.dtype.is_complex
        assert "# invalid:" in repr(invalid)
        with pytest.raises((RuntimeError, ValueError, TypeError)):
            request.call(reference_impl.new_parameter_placeholder)
