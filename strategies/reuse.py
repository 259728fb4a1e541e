"""Strategy factories that hand back the same strategy object for the same arguments.

Hypothesis validates a strategy and computes its properties (emptiness, reusable values)
once per strategy *object*. A composite that builds its inner strategies afresh on every
draw (``draw(sources(device, dtype))`` inside another composite) pays for that on every
draw; a factory wrapped in :func:`reused` pays once per distinct argument list. The
strategy drawn from is the same either way, so every choice sequence, and therefore every
derandomized example, stays the same (P-2, C-1 .. C-3, G-1: the cases those clauses draw).

Only plain arguments are keys (None, bools, ints, strings, dtypes, devices, and tuples of
them, ``torch.Size`` included): a call with anything else (a tensor, a callable, a list, a
strategy) goes to the factory uncached, so no cache keeps a tensor or a closure alive.

A caution for anyone keeping examples identical: Hypothesis also biases integer draws
towards the integer literals (100 or more in size) of every local, non-test module it has
seen, so a new such literal anywhere in the package changes derandomized examples. The
cache sizes here repeat literals already present.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import torch
from hypothesis import strategies as st

__all__ = ["CACHE_SIZE", "integers", "is_plain", "reused", "sampled_from"]

P = ParamSpec("P")
T = TypeVar("T")

CACHE_SIZE = 4096
"""Entries per factory: one per distinct argument list (drawn shapes make thousands)."""

_PLAIN_TYPES: frozenset[type] = frozenset({type(None), bool, int, str, torch.dtype, torch.device})


def is_plain(value: object) -> bool:
    """Whether ``value`` may be a cache key: of a plain type (exactly: a subclass may hash
    or compare its own way), or a tuple (``torch.Size`` too) of plain values."""
    if type(value) in _PLAIN_TYPES:
        return True
    return isinstance(value, tuple) and all(is_plain(item) for item in value)


def reused(factory: Callable[P, T]) -> Callable[P, T]:
    """``factory`` with its results cached per plain argument list (see the module
    docstring); calls with any other argument are passed through uncached."""
    cached = functools.lru_cache(maxsize=CACHE_SIZE)(factory)

    @functools.wraps(factory)
    def factory_or_cache(*args: P.args, **kwargs: P.kwargs) -> T:
        if all(map(is_plain, args)) and all(map(is_plain, kwargs.values())):
            return cached(*args, **kwargs)  # type: ignore[arg-type]  # plain: hashable
        return factory(*args, **kwargs)

    factory_or_cache.cache_info = cached.cache_info  # type: ignore[attr-defined]
    factory_or_cache.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return factory_or_cache


integers = reused(st.integers)
"""``st.integers``, one object per range: the hot draws inside the composites."""
sampled_from = reused(st.sampled_from)
"""``st.sampled_from``, one object per tuple of plain elements (others pass through)."""
