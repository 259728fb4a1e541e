"""Cases checked per second: the raw API loop against the suite's fuzz mode.

Run: ``PYTHONPATH=. python benchmarks/throughput.py [--impl reference|torch]``.

In one process, on the same machine, alternating the two so that load on a
shared machine hits both alike, it measures

* raw: per case, ``new_parameter_placeholder``, ``tracable_create_parameter``,
  ``backward`` and a bitwise check of the gradient, in a plain loop;
* suite: ``test_gradient_identity`` run through pytest under the nightly
  profile with ``--cp-batch`` (fuzz mode) and a fixed number of examples,
  timed per checked case (the plugin counts the cases ``draw_cases`` hands out);
* the same with a batch of 1 (plain ``@given``: one case per example);
* raw on the fuzz run's own cases: the raw loop's calls and check on cases built
  beforehand by G-1's recipe (every layout, ranks 0..8), over the raw loop run just before
  it, to tell how much of the ratio is the richer cases and how much is the suite.

The last line is ``ratio: X``, suite cost per case over raw cost per case: the
median, over the repetitions, of the fuzz run's cost over the mean of the raw loops
run just before and just after it (on a loaded machine, the best suite run and the
best raw loop may come from calm moments far apart; neighbours share the load).
Before it, with ``redis-server`` on PATH, ``benchmarks/shared_db.py``'s scaling
part: cases per second with one and two processes sharing a Redis database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest
import torch

from conformance.commands.fuzz import FUZZ_BATCH
from conformance.loader import load_all

TARGET = "conformance.properties.test_gradient::test_gradient_identity"
DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.complex64)


def _bits(tensor: torch.Tensor) -> torch.Tensor:
    flat = tensor.detach().reshape(-1)
    if flat.is_complex():
        flat = torch.view_as_real(flat).reshape(-1)
    width = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[flat.element_size()]
    return flat.view(width)


Inputs = list[tuple[tuple[int, ...], torch.dtype, torch.Tensor, torch.Tensor]]
"""(shape, dtype, source, upstream gradient) per case of a raw loop."""


def raw_loop(spec: str, cases: int, seed: int = 0) -> float:
    """Microseconds per case of the bare API calls and one bitwise gradient check."""
    rng = random.Random(seed)
    drawn = [
        (tuple(rng.randint(0, 4) for _ in range(rng.randint(0, 4))), rng.choice(DTYPES))
        for _ in range(cases)
    ]
    return _timed_loop(spec, [(shape, dtype, torch.randn(shape).to(dtype),
                               torch.randn(shape).to(dtype)) for shape, dtype in drawn])


def raw_loop_on_fuzz_cases(spec: str, cases: int) -> float:
    """Microseconds per case of the same bare calls and check on the fuzz run's own cases
    (G-1's recipe: ranks 0..8, every layout, every dtype that can require grad, special
    values), built beforehand. Checking richer cases costs more whoever does it: this line
    separates that from what the suite adds (building the cases, its own checks)."""
    from conformance.properties.test_gradient import backward_recipe

    recipe = backward_recipe(("cpu",))
    stream = random.Random(0)  # one stream, as a fuzz batch builds its cases
    built = [recipe(stream) for _ in range(cases)]
    return _timed_loop(spec, [(tuple(drawn.case.request.size), drawn.case.request.dtype,
                               drawn.case.source.tensor, drawn.upstreams[0]) for drawn in built])


def _timed_loop(spec: str, inputs: Inputs) -> float:
    namespace = load_all([spec])[0].namespace
    new_placeholder = namespace.new_parameter_placeholder
    create = namespace.tracable_create_parameter
    cases = len(inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        for shape, dtype, source, upstream in inputs:
            placeholder = new_placeholder(shape, dtype, "cpu", True)
            out = create(source, placeholder)
            out.backward(upstream)
            grad = placeholder.grad
            if grad is None or not torch.equal(_bits(grad), _bits(upstream)):
                raise AssertionError(f"raw loop: wrong gradient for {shape} {dtype}")
        return (time.perf_counter() - started) / cases * 1e6


def body_loop(spec: str, cases: int, seed: int = 0) -> float:
    """Microseconds per case of the property's own check, called directly (no Hypothesis),
    on the raw loop's kind of cases.

    ``check_gradient_identity`` does more than the raw loop (a copy of the upstream
    gradient, a bitwise comparison that can describe a difference): this separates its
    cost from the framework's. One timer bounds the whole loop, as one bounds each fuzz
    example; without it every guarded call would arm its own.
    """
    from conformance.deadline import example_deadline
    from conformance.properties._cases import TakeOver
    from conformance.properties.test_gradient import Backward, check_gradient_identity
    from strategies import PlaceholderRequest, Source

    implementation = load_all([spec])[0]
    rng = random.Random(seed)
    drawn = []
    for _ in range(cases):
        shape = tuple(rng.randint(0, 4) for _ in range(rng.randint(0, 4)))
        dtype = rng.choice(DTYPES)
        request = PlaceholderRequest(shape, dtype, "cpu", True)
        source = Source(torch.randn(shape).to(dtype), "contiguous")
        drawn.append(Backward(TakeOver(request, source), (torch.randn(shape).to(dtype),)))
    with warnings.catch_warnings(), example_deadline(implementation.deadline, "body_loop"):
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        for case in drawn:
            check_gradient_identity(implementation, case)
        return (time.perf_counter() - started) / cases * 1e6


def suite_run(spec: str, batch: int, examples: int) -> tuple[float, int, int]:
    """(microseconds per checked case, examples, cases) of the property under pytest."""
    with tempfile.TemporaryDirectory(prefix="cpconf-bench-") as scratch:
        report = Path(scratch) / "report.json"
        code = pytest.main([
            "-p", "no:cacheprovider", "-q", "-o", "addopts=", "--pyargs", TARGET,
            "--cp-impl", spec, "--cp-profile", "nightly", "--cp-devices", "cpu",
            "--cp-db", str(Path(scratch) / "db"), "--cp-batch", str(batch),
            "--cp-examples", str(examples), "--cp-report", str(report),
        ])
        if code != 0:
            raise SystemExit(f"the property failed under pytest (exit {code})")
        rows = json.loads(report.read_text())["implementations"][0]["clauses"]
    row = next(row for row in rows if row["id"] == "G-1")
    return row["fuzz_seconds"] / row["cases"] * 1e6, row["examples"], row["cases"]


def shared_db_scaling(minutes: float) -> None:
    """Print shared_db.py's scaling lines (its own Redis server), or why they are skipped."""
    if minutes <= 0:
        print("shared database scaling: skipped (--scaling-minutes 0)")
        return
    if shutil.which("redis-server") is None:
        print("shared database scaling: skipped (redis-server is not on PATH)")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import shared_db

    with tempfile.TemporaryDirectory(prefix="cpconf-bench-db-") as scratch:
        work = Path(scratch)
        with contextlib.contextmanager(shared_db.serve)(work) as server:
            shared_db.scaling(server.url(1), work, minutes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--impl", default="reference", help="reference or torch (default ref.)")
    parser.add_argument("--batch", type=int, default=FUZZ_BATCH,
                        help=f"cases per example in fuzz mode (default {FUZZ_BATCH}, "
                             "cpconf fuzz's)")
    parser.add_argument("--examples", type=int, default=300, help="examples per suite run")
    parser.add_argument("--repeat", type=int, default=5,
                        help="alternating repetitions (the ratio is their median: on a "
                             "shared machine one repetition in a few lands in a busy spell)")
    parser.add_argument("--scaling-minutes", type=float, default=0.5,
                        help="budget of each process in the shared-database scaling part, "
                             "as in shared_db.py (0 skips it)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    raw, body, fuzz, plain, ratios, mixed_ratios = [], [], [], [], [], []
    fuzz_counts = plain_counts = (0, 0)
    for _ in range(args.repeat):
        before = raw_loop(args.impl, 4000)
        # The suite before body_loop: @given keeps the Hypothesis profile loaded when the
        # property module is imported, so body_loop's import must come after pytest has
        # loaded the nightly profile (else the default one's 200 ms deadline applies).
        cost, *fuzz_counts_list = suite_run(args.impl, args.batch, args.examples)
        after = raw_loop(args.impl, 4000)
        mixed_ratios.append(raw_loop_on_fuzz_cases(args.impl, 4000) / after)
        raw += [before, after]
        fuzz.append(cost)
        ratios.append(cost / ((before + after) / 2))
        fuzz_counts = (fuzz_counts_list[0], fuzz_counts_list[1])
        cost, *plain_counts_list = suite_run(args.impl, 1, args.examples * 4)
        plain.append(cost)
        plain_counts = (plain_counts_list[0], plain_counts_list[1])
        body.append(body_loop(args.impl, 2000))
    best_raw, best_fuzz, best_plain = min(raw), min(fuzz), min(plain)
    print()
    shared_db_scaling(args.scaling_minutes)
    print(f"implementation: {args.impl}, torch {torch.__version__}, best of {args.repeat}")
    print(f"raw API loop:            {best_raw:8.1f} us/case")
    print(f"raw loop, fuzz's cases:  ratio {statistics.median(mixed_ratios):.2f} to the raw loop "
          "just before it (the same calls on G-1's richer cases)")
    print(f"property body, direct:   {min(body):8.1f} us/case "
          f"(ratio {min(body) / best_raw:.2f}: the check's own work, no Hypothesis)")
    print(f"suite, plain @given:     {best_plain:8.1f} us/case "
          f"({plain_counts[0]} examples, {plain_counts[1]} cases)")
    print(f"suite, fuzz batch {args.batch:<4}:  {best_fuzz:8.1f} us/case "
          f"({fuzz_counts[0]} examples, {fuzz_counts[1]} cases, "
          f"{fuzz_counts[1] / max(1, fuzz_counts[0]):.1f} cases/example)")
    print(f"plain @given ratio: {best_plain / best_raw:.2f}")
    print(f"ratio, best over best: {best_fuzz / best_raw:.2f}")
    print("ratios per repetition: " + ", ".join(f"{ratio:.2f}" for ratio in ratios))
    print(f"ratio: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
