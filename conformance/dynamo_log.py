"""Dynamo's own log during the E properties: shown with a failure or with ``-v``, never as
noise on a quiet passing run (E-1 .. E-8).

:func:`dynamo_log` captures, for one block, the warnings of Dynamo's loggers (recompiles,
graph breaks), Python warnings, and the graph-break reasons Dynamo counted. On a failure the
lines become a Hypothesis note, printed with the failing example. On success they are kept
for the running test; the suite's plugin takes them with :func:`take_passing_lines` and
attaches them to the test's report as a "Dynamo log" section, which ``-v`` prints at the end
of the run. torch is imported only when a block ends.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from hypothesis import note

SECTION = "Dynamo log"
"""The title of the report section that carries a passing test's lines."""
LOGGERS = ("torch._dynamo", "torch._inductor", "torch.fx.experimental.symbolic_shapes")

_passing: list[str] = []  # this process runs one test at a time


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {first_lines(record.getMessage(), 3)}")


def first_lines(text: str, lines: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[:lines])


def graph_break_reasons() -> list[str]:
    """The graph-break reasons Dynamo counted since its counters were last cleared (the
    swap-in clears them on entry): the first line of each."""
    from torch._dynamo.utils import counters  # torch only once a block ends

    return [str(reason).splitlines()[0] for reason in counters["graph_break"]]


def _safe_reasons() -> list[str]:
    try:
        return graph_break_reasons()
    except Exception:  # the counters are Dynamo's internals; the log is only a help
        return []


def _said(logged: Sequence[str], caught: Sequence[warnings.WarningMessage]) -> list[str]:
    lines = [*logged, *(f"warning: {w.message}" for w in caught)]
    lines += [f"graph break: {reason}" for reason in _safe_reasons()]
    return list(dict.fromkeys(lines))


@contextmanager
def dynamo_log() -> Iterator[list[str]]:
    """Capture what Dynamo says during the block (see the module docstring)."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield handler.lines
            except BaseException:
                lines = _said(handler.lines, caught)
                if lines:
                    note("Dynamo said:\n  " + "\n  ".join(lines))
                raise
            _passing.extend(_said(handler.lines, caught))
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def take_passing_lines() -> list[str]:
    """What Dynamo said in this process's passing blocks since the last call; forgets them."""
    lines = list(dict.fromkeys(_passing))
    _passing.clear()
    return lines
