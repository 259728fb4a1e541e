"""Several cases per Hypothesis example, for throughput (``--cp-batch N``).

A property draws its cases with :func:`draw_cases` and checks them one by one.
With a batch of 1 (the default) that is one case per example; ``cpconf fuzz``
raises the batch so the per-example overhead of Hypothesis is shared by many
cases. A failing batch shrinks like any list: towards the one case that fails.
"""

from __future__ import annotations

from typing import TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

DEFAULT_BATCH = 1


def draw_cases(data: st.DataObject, cases: st.SearchStrategy[T], batch: int) -> list[T]:
    """Draw ``1..batch`` cases from ``cases`` (exactly one when ``batch`` is 1)."""
    if batch <= 1:
        return [data.draw(cases, label="case")]
    return data.draw(st.lists(cases, min_size=1, max_size=batch), label="cases")
