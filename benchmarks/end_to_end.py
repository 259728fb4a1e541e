"""Cost of one end-to-end example (E-1): swap-in, reset, compile, compare with eager.

Run: ``PYTHONPATH=. python benchmarks/end_to_end.py [--impl reference|torch] [--examples N]``.
Prints the first example (a cold compile) and the median of the following ones, in
seconds, for fixed E-1 cases cycling through forms, views and requires_grad.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import torch

from conformance.loader import load
from conformance.properties.test_end_to_end import FORMS, VIEWS, Build, check_compiled_equals_eager
from conformance.swap_in import swapped_in


def cases(count: int) -> list[Build]:
    shapes = [(3, 4), (), (0, 2), (2, 1, 3), (1,) * 8]
    combos = itertools.cycle(itertools.product(shapes, VIEWS, FORMS, (True, False)))
    return [Build(shape, torch.float32, "cpu", seed, grad, view, form)
            for seed, (shape, view, form, grad) in zip(range(count), combos, strict=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--impl", default="reference")
    parser.add_argument("--examples", type=int, default=20)
    args = parser.parse_args()
    impl = load(args.impl)
    seconds = []
    for case in cases(args.examples):
        started = time.perf_counter()
        with swapped_in(impl):
            check_compiled_equals_eager(impl, case)
        seconds.append(time.perf_counter() - started)
    print(f"{args.impl}: first example {seconds[0]:.2f} s (cold compile); "
          f"median of the next {len(seconds) - 1}: {statistics.median(seconds[1:]):.3f} s; "
          f"max {max(seconds[1:]):.3f} s")


if __name__ == "__main__":
    main()
