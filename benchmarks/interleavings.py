"""Cost of one controlled interleaving (strategies.interleavings) on real threads.

Run: ``PYTHONPATH=. python benchmarks/interleavings.py [--impl reference|torch]``.
Prints milliseconds per example for drawn 3-thread programs and for a fixed
3-thread, 20-operation program with about 15 context switches.
"""

from __future__ import annotations

import argparse
import random
import time

from hypothesis import given, settings

from conformance.loader import load
from conformance.switch_model import run_interleaving
from strategies.interleavings import Interleaving, interleavings

FIXED_PROGRAM = (
    ("enter", "read", "enter", "read", "exit", "read", "exit"),
    ("read", "enter", "read", "raise", "read", "enter", "read"),
    ("read", "enter", "enter", "read", "exit", "exit"),
)


def drawn_cases(count: int) -> list[Interleaving]:
    cases: list[Interleaving] = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True)
    @given(case=interleavings(min_threads=3, max_threads=3, max_ops=21))
    def collect(case: Interleaving) -> None:
        cases.append(case)

    collect()
    return cases


def milliseconds_per_case(namespace: object, cases: list[Interleaving]) -> float:
    began = time.perf_counter()
    for case in cases:
        run_interleaving(namespace, case)
    return (time.perf_counter() - began) / len(cases) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--impl", default="reference", help="an implementation SPEC")
    parser.add_argument("--count", type=int, default=200, help="examples per measurement")
    args = parser.parse_args()
    namespace = load(args.impl).namespace
    drawn = drawn_cases(args.count)
    operations = sum(sum(map(len, case.program)) for case in drawn) / len(drawn)
    rng = random.Random(0)
    fixed = [Interleaving(FIXED_PROGRAM, [rng.randrange(3) for _ in range(23)])
             for _ in range(args.count)]
    print(f"implementation: {args.impl}")
    print(f"drawn 3-thread programs (mean {operations:.1f} ops): "
          f"{milliseconds_per_case(namespace, drawn):.2f} ms/example")
    print(f"fixed 3-thread, 20-op program, ~15 switches: "
          f"{milliseconds_per_case(namespace, fixed):.2f} ms/example")


if __name__ == "__main__":
    main()
