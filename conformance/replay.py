"""``--cp-replay VERSION:BLOB``: one failing Hypothesis example, as a report's reproduce
command names it (the Hypothesis version that wrote the blob, then the blob)."""

from __future__ import annotations


def join(version: str, blob: str) -> str:
    """The ``--cp-replay`` value for a blob Hypothesis ``version`` printed."""
    return f"{version}:{blob}"


def split(text: str) -> tuple[str, str]:
    """``(version, blob)`` of a ``--cp-replay`` value."""
    version, _, blob = text.partition(":")
    return version, blob
