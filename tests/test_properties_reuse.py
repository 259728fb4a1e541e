"""The property modules' case strategies: one object per plain argument list (drawn from
once per example, validated once), and a ``where`` predicate applied once per device."""

from __future__ import annotations

import torch

from conformance.properties._cases import GRAD_FAMILIES, take_overs
from conformance.properties._compiled import grad_dtypes
from conformance.properties.test_create import (
    inference_calls,
    mismatches,
    mode_calls,
    under_modes,
)
from conformance.properties.test_end_to_end import builds
from conformance.properties.test_gradient import _grad_sources, backwards
from conformance.properties.test_placeholder import _pure_cases, ambients
from strategies import DtypeInfo
from strategies.dtypes import dtype_choices
from tests.sampling import sample

CPU = ("cpu",)
BOTH = ("cpu", "meta")


def test_the_same_plain_arguments_give_the_same_object() -> None:
    for factory in (mismatches, mode_calls, inference_calls, _grad_sources):
        assert factory(BOTH) is factory(BOTH), factory
        assert factory(BOTH) is not factory(CPU), factory
    assert under_modes(BOTH, same_shape=False) is under_modes(BOTH, same_shape=False)
    assert backwards(BOTH, passes=2, addable=True) is backwards(BOTH, passes=2, addable=True)
    assert backwards(BOTH, passes=2, addable=True) is not backwards(BOTH, passes=2)
    assert ambients(True) is ambients(True)
    assert _pure_cases(BOTH, True) is _pure_cases(BOTH, True)
    assert builds(CPU, max_rank=4) is builds(CPU, max_rank=4)
    assert grad_dtypes("cpu", True) is grad_dtypes("cpu", True)


def test_a_where_predicate_is_applied_once_per_device_not_per_draw() -> None:
    """A take-over strategy with ``where`` narrows each device's dtypes on its first draw
    only (C-6, G-3 draw through one); the draws still keep to the predicate."""
    asked: list[str] = []

    def wide(info: DtypeInfo, device: str) -> bool:
        asked.append(device)
        return info.dtype.itemsize >= 4

    drawn = sample(take_overs(BOTH, requires_grad=True, families=GRAD_FAMILIES, where=wide), 40)
    assert {case.request.device for case in drawn} == set(BOTH)
    assert all(case.source.tensor.dtype.itemsize >= 4 for case in drawn)
    candidates = sum(len(dtype_choices(device, requires_grad=True, families=GRAD_FAMILIES))
                     for device in BOTH)
    assert len(asked) == candidates


def test_a_cached_case_strategy_draws_what_a_fresh_one_draws() -> None:
    fresh = mismatches.__wrapped__(BOTH)  # type: ignore[attr-defined]
    assert fresh is not mismatches(BOTH)
    assert ([repr(case) for case in sample(fresh, 30)]
            == [repr(case) for case in sample(mismatches(BOTH), 30)])
    assert all(case.source.tensor.dtype != case.request.dtype
               or case.source.tensor.device != torch.device(case.request.device)
               for case in sample(mismatches(BOTH), 30))
