"""Shards: N machines each run a fixed share of the properties, covering each once.

``--shard I/N`` (``cpconf fuzz``; ``--cp-shard`` in the plugin) keeps the
properties at positions I-1, I-1+N, I-1+2N ... of the sorted property names
(``module::test``, from :mod:`conformance.coverage`): round robin over a
sorted list, so the share depends neither on test order nor on the machine,
and every property lands in exactly one shard. A property's parametrized
variants (one per implementation) stay together. A clause all of whose
properties run in other shards is reported ``not-applicable`` with the reason
``in another shard (I/N)``; ``cpconf merge`` puts the shards back together
(:mod:`conformance.merge`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from conformance.coverage import clauses_by_property
from conformance.report.results import ResultBook

REASON_PREFIX = "in another shard"


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str | None) -> Shard | None:
        """``"I/N"`` -> a shard; None for None; ``ValueError`` naming the problem otherwise."""
        if text is None:
            return None
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if match is None:
            raise ValueError(f"--shard must look like I/N (e.g. 1/4), not {text!r}")
        index, count = int(match[1]), int(match[2])
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"--shard {text}: I must be between 1 and N, and N at least 1")
        return cls(index, count)

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def reason(self) -> str:
        return f"{REASON_PREFIX} ({self.label})"

    def properties(self) -> list[str]:
        """The property names (``module::test``) this shard runs."""
        names = sorted(clauses_by_property())
        return names[self.index - 1::self.count]

    def clauses_elsewhere(self) -> list[str]:
        """Clauses none of whose properties this shard runs."""
        mine = set(self.properties())
        here: set[str] = set()
        everywhere: set[str] = set()
        for name, ids in clauses_by_property().items():
            everywhere.update(ids)
            if name in mine:
                here.update(ids)
        return sorted(everywhere - here)


def property_name(item: pytest.Item) -> str | None:
    """``module::test`` of a property item (the class name for a method), else None."""
    module = getattr(item, "module", None)
    if module is None or item.get_closest_marker("clause") is None:
        return None
    cls = getattr(item, "cls", None)
    top = cls.__name__ if cls is not None else getattr(item, "originalname", item.name)
    return f"{module.__name__}::{top}"


class ShardSelection:
    """Deselects the properties of other shards; marks their clauses not applicable."""

    def __init__(self, shard: Shard, book: ResultBook | None) -> None:
        self.shard = shard
        self.mine = set(shard.properties())
        if book is not None:  # the controller (xdist workers have no book)
            for clause_id in shard.clauses_elsewhere():
                book.exclude(clause_id, shard.reason)

    def pytest_report_header(self) -> str:
        return f"  shard {self.shard.label}: {len(self.mine)} properties"

    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            name = property_name(item)
            (kept if name is None or name in self.mine else dropped).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
