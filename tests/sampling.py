"""Deterministic sampling of a strategy, for tests that count edge cases."""

from __future__ import annotations

from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

T = TypeVar("T")


def sample(strategy: st.SearchStrategy[T], n: int = 200) -> list[T]:
    """Draw up to ``n`` examples (derandomized, generation phase only) from ``strategy``."""
    drawn: list[T] = []

    @settings(
        max_examples=n,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: T) -> None:
        drawn.append(value)

    collect()
    return drawn
