"""``cpconf list``: the known implementation names and where they come from."""

from __future__ import annotations

import argparse
from typing import Any

from conformance.loader import known_implementations


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("list", help="list the known implementation names")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    known = known_implementations()
    width = max(len(name) for name in known)
    for name, origin in known.items():
        print(f"{name.ljust(width)}  {origin}")
    return 0
