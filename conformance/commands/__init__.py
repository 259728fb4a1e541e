"""The ``cpconf`` sub-commands, one module each."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_USAGE = 2


def usage_error(command: str, message: str) -> int:
    """Print ``cpconf COMMAND: error: MESSAGE`` to stderr, the form argparse gives the
    sub-command's own errors, and return the usage-error exit code."""
    print(f"cpconf {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def interrupted(command: str,
                unreached: str = "the clauses the run did not reach are not-run") -> None:
    """Say, before the verdict, that the user stopped the run (Ctrl-C): its report holds
    what ran, and what it did not reach (``unreached``) is not-run, so it cannot pass."""
    print(f"cpconf {command}: interrupted: {unreached}", file=sys.stderr)


def no_report(command: str, log: Path | None) -> int:
    """:func:`usage_error` for a pytest session that ended before writing its report (a
    usage error pytest found): pytest printed its error above, on stderr, and the rest of
    its output to ``log`` when it was saved there."""
    where = "above" if log is None else f"above and in {log}"
    return usage_error(command, f"pytest stopped before writing a report; see its output {where}")
