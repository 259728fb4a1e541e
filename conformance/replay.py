"""``--cp-replay VERSION:BLOB``: one failing Hypothesis example, as a report's reproduce
command names it (the Hypothesis version that wrote the blob, then the blob)."""

from __future__ import annotations

import base64
import binascii

import hypothesis


def join(version: str, blob: str) -> str:
    """The ``--cp-replay`` value for a blob Hypothesis ``version`` printed."""
    return f"{version}:{blob}"


def split(text: str) -> tuple[str, str]:
    """``(version, blob)`` of a ``--cp-replay`` value; ``ValueError`` saying what is wrong
    when it cannot replay here: not that form, a blob that is not base64, or a version of
    Hypothesis other than this one (a blob replays only under the version that wrote it)."""
    version, colon, blob = text.partition(":")
    if not (colon and version and blob):
        raise ValueError(f"--cp-replay {text!r}: expected VERSION:BLOB, as a report's "
                         "reproduce command gives it")
    try:
        base64.b64decode(blob, validate=True)
    except binascii.Error:
        raise ValueError(f"--cp-replay: {blob!r} is not a Hypothesis blob (base64)") from None
    if version != hypothesis.__version__:
        raise ValueError(f"--cp-replay was written by Hypothesis {version}, and this is "
                         f"{hypothesis.__version__}: a blob replays only under the version "
                         "that wrote it")
    return version, blob
