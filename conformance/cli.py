"""``cpconf``: run the conformance suite from the command line.

Each sub-command lives in :mod:`conformance.commands` and provides
``add_parser(subparsers)`` and ``run(args) -> int``. Exit codes: 0 conforms,
1 a MUST clause failed or is missing, 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from conformance.commands import (
    EXIT_USAGE,
    fuzz,
    list_implementations,
    merge,
    mutants,
    run_suite,
)

COMMANDS: tuple[ModuleType, ...] = (run_suite, list_implementations, mutants, fuzz, merge)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cpconf", description=__doc__.splitlines()[0] if __doc__ else None)
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


STRAY_THREAD_GRACE = 5.0
"""Seconds the process may spend exiting, after its verdict, before it stops waiting for
threads that will not end (an implementation's)."""


def entry() -> NoReturn:
    """The ``cpconf`` program: :func:`main`, then exit.

    Before exiting, every object is moved out of the cyclic garbage collector's reach
    (``gc.freeze``): the interpreter's final collection over torch's and Dynamo's objects
    costs more than a second per process and frees nothing this process still needs
    (reports and logs are written and closed by now). :func:`main` itself, called in a
    process that goes on, leaves the collector alone.

    Python waits for every non-daemon thread before it exits: one an implementation left
    running would keep cpconf from ever exiting after its verdict. So the exit is
    watched: after :data:`STRAY_THREAD_GRACE` seconds a warning names the threads still
    running and the process ends without them (logging flushed; exit handlers that come
    after the wait for threads do not run). Thread pools Python itself shuts down at exit
    are not held against it.

    An implementation that crashes the interpreter (a segfault, say) while it is imported
    here, before pytest starts, leaves Python's own traceback of where (``faulthandler``)
    instead of a bare exit status; inside the run, pytest keeps one, and the worker
    processes turn such a crash into a failure of its clause."""
    with contextlib.suppress(ValueError, OSError, RuntimeError):  # a stderr with no file
        faulthandler.enable()
    code = main()
    gc.freeze()
    threading.Thread(target=_end_a_stuck_exit, args=(code, STRAY_THREAD_GRACE),
                     name="cpconf-exit-watch", daemon=True).start()
    sys.exit(code)


def _end_a_stuck_exit(code: int, grace: float) -> None:
    """Run beside the interpreter's exit, which waits for non-daemon threads: if it is
    still waiting after ``grace`` seconds, name them and end the process with ``code``.
    (A daemon thread: when the exit completes first, it simply stops.)"""
    time.sleep(grace)
    stuck = [thread for thread in threading.enumerate()
             if not thread.daemon and thread is not threading.main_thread()]
    names = ", ".join(repr(thread.name) for thread in stuck) or "(none found)"
    print(f"cpconf: warning: exiting without waiting for {len(stuck)} non-daemon "
          f"thread(s) still running (an implementation's?): {names}", file=sys.stderr)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
