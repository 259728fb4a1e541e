"""Cached strategy factories: one object per plain argument list, the same draws as an
uncached factory, and no cache that keeps a tensor or a callable alive."""

from __future__ import annotations

import enum
import gc
import weakref

import torch

from strategies import (
    devices,
    dtypes,
    grad_modes,
    placeholder_requests,
    shapes,
    sources,
    upstream_gradients,
)
from strategies.interleavings import interleavings
from strategies.reuse import integers, is_plain, reused
from tests.sampling import sample


class _Level(enum.IntEnum):
    LOW = 1


def test_plain_values_are_keys_and_others_are_not() -> None:
    for value in (None, True, 3, "cpu", torch.float16, torch.device("meta"), (2, 3),
                  torch.Size([2, 3]), ("contiguous", (1, None))):
        assert is_plain(value), value
    for value in (torch.zeros(2), [2, 3], (2, [3]), lambda: None, 1.5, _Level.LOW,
                  integers(0, 1)):
        assert not is_plain(value), value


def test_the_same_plain_arguments_give_the_same_object() -> None:
    assert shapes(max_rank=4, max_elements=24) is shapes(max_rank=4, max_elements=24)
    assert shapes(max_rank=4, max_elements=24) is not shapes(max_rank=3, max_elements=24)
    assert sources("cpu", torch.float32, (2, 3)) is sources("cpu", torch.float32, (2, 3))
    assert sources("cpu", torch.float32) is not sources("cpu", torch.float64)
    assert dtypes("meta", requires_grad=True) is dtypes("meta", requires_grad=True)
    assert devices(("cpu", "meta")) is devices(("cpu", "meta"))
    assert grad_modes(max_depth=2) is grad_modes(max_depth=2)
    assert placeholder_requests(("cpu",), large=True) is placeholder_requests(("cpu",),
                                                                            large=True)
    assert interleavings(max_threads=3) is interleavings(max_threads=3)


def test_other_arguments_pass_through_uncached_and_still_draw() -> None:
    listed = devices(["cpu", "meta"])
    assert listed is not devices(["cpu", "meta"])
    assert set(sample(listed, 20)) == {"cpu", "meta"}

    size = shapes(max_rank=1)
    with_size = placeholder_requests(("cpu",), size=size)
    assert with_size is not placeholder_requests(("cpu",), size=size)
    assert all(len(request.size) <= 1 for request in sample(with_size, 20))

    def floating(info: object) -> bool:
        return getattr(info, "family", None) == "float"

    before = dtypes.cache_info().currsize  # type: ignore[attr-defined]
    narrowed = dtypes("cpu", where=floating)
    assert narrowed is not dtypes("cpu", where=floating)
    assert dtypes.cache_info().currsize == before  # type: ignore[attr-defined]
    assert {info.family for info in sample(narrowed, 20)} == {"float"}


def test_a_cached_factory_draws_what_the_uncached_one_draws() -> None:
    """Reuse changes which object is drawn from, never the choices: derandomized draws of
    the cached strategy equal those of a fresh one from the undecorated factory."""
    fresh = sources.__wrapped__("cpu", torch.float32, max_elements=24,  # type: ignore[attr-defined]
                                large=True)
    cached = sources("cpu", torch.float32, max_elements=24, large=True)
    assert fresh is not cached
    assert ([repr(s) for s in sample(fresh, 40)] == [repr(s) for s in sample(cached, 40)])
    assert (sample(shapes.__wrapped__(max_elements=24), 40)  # type: ignore[attr-defined]
            == sample(shapes(max_elements=24), 40))


def test_caches_keep_no_tensor_alive() -> None:
    like = torch.zeros(3, 5, dtype=torch.float64)
    alive = weakref.ref(like)
    gradients = upstream_gradients(like)
    assert gradients is upstream_gradients(torch.ones(3, 5, dtype=torch.float64))
    assert all(g.shape == (3, 5) for g in sample(gradients, 5))
    del like
    gc.collect()
    assert alive() is None


def test_reused_caches_only_plain_calls() -> None:
    calls: list[tuple[object, ...]] = []

    @reused
    def factory(*args: object) -> list[object]:
        calls.append(args)
        return [args]

    assert factory(1, "a") is factory(1, "a")
    assert factory([1]) is not factory([1])
    assert calls == [(1, "a"), ([1],), ([1],)]
