"""Fuzzing processes sharing one Redis example database: find-to-replay time and scaling.

Run: ``PYTHONPATH=. python benchmarks/shared_db.py [--minutes 0.2]`` (needs
``redis-server`` on PATH; it starts its own on a free loopback port).

1. **Find to replay.** Process A fuzzes a mutant that breaks G-1
   (``conformance/mutants/g1_scaled.py``) on an empty database and finds the
   failure; process B, started after A with another seed in another
   directory, replays it. The server's own clock (``MONITOR``) dates A's first
   save of the failing example and B's first fetch of that key; B's report
   says after how many examples and seconds into the property it failed (a
   replayed failure is example 1). Printed: ``find-to-replay: X s`` (A's save
   to B's fetch, which includes B's start-up, mostly importing torch) and
   ``replay-to-failure: Y s`` (B's property start to its failing example).
2. **Scaling.** The reference implementation's G-1 properties, fuzzed by one
   process, then by two at once, on the same database: cases per second of
   each (cases over the seconds the property ran, start-up left out), and
   ``scaling efficiency: Z`` (two processes' total rate over twice one's). On a
   shared 2-core machine this is bounded by the cores, not by Redis.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.redis_server import serve  # noqa: E402  (the tests' one way to run a server)

MUTANT = str(ROOT / "conformance" / "mutants" / "g1_scaled.py")
SELECT = "test_gradient_identity and not special"


def _fuzz(workdir: Path, impl: str, url: str, minutes: float, seed: int) -> subprocess.Popen[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("CI", None)
    command = [sys.executable, "-m", "conformance.cli", "fuzz", "--impl", impl, "--db", url,
               "--minutes", str(minutes), "-n", "0", "--report", str(workdir / "report.json"),
               "--", "-k", SELECT, f"--hypothesis-seed={seed}"]
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True)


def _finish(process: subprocess.Popen[str], workdir: Path) -> dict[str, Any]:
    process.wait(timeout=600)
    return json.loads((workdir / "report.json").read_text())


def _g1(report: dict[str, Any]) -> dict[str, Any]:
    return next(row for row in report["implementations"][0]["clauses"] if row["id"] == "G-1")


def _monitor_times(log: Path, command: str) -> list[float]:
    """Server timestamps of every ``command`` on a hypothesis-example key."""
    pattern = re.compile(rf'^(\d+\.\d+) \[\d+ [^\]]+\] "{command}" "hypothesis-example:')
    times = []
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.match(line)
        if match:
            times.append(float(match[1]))
    return times


def find_to_replay(port: int, url: str, work: Path, minutes: float) -> None:
    log = work / "monitor.log"
    with log.open("w") as sink:
        monitor = subprocess.Popen(["redis-cli", "-p", str(port), "monitor"], stdout=sink)
        try:
            time.sleep(0.5)
            found = _finish(_fuzz(work / "a", MUTANT, url, minutes, seed=1), work / "a")
            a_ended = time.time()
            replayed = _finish(_fuzz(work / "b", MUTANT, url, minutes, seed=2), work / "b")
            time.sleep(0.5)
        finally:
            monitor.terminate()
            monitor.wait(timeout=10)
    saves = _monitor_times(log, "SADD")
    fetches = [t for t in _monitor_times(log, "SMEMBERS") if t > a_ended]
    a, b = _g1(found), _g1(replayed)
    print(f"A: G-1 {a['status']}, found at example {a.get('first_failure')} after "
          f"{a.get('first_failure_seconds')} s, replayed {a.get('replayed')} stored examples")
    print(f"B: G-1 {b['status']}, failed at example {b.get('first_failure')} after "
          f"{b.get('first_failure_seconds')} s, replayed {b.get('replayed')} stored examples")
    if saves and fetches:
        print(f"find-to-replay: {fetches[0] - saves[0]:.2f} s (A's first save to B's first "
              "fetch, server clock; includes B's start-up)")
    print(f"replay-to-failure: {b.get('first_failure_seconds')} s")


def _rate(report: dict[str, Any]) -> float:
    """Cases per second while the property ran (process start-up, mostly torch, left out)."""
    row = _g1(report)
    return float(row["cases"]) / max(1e-9, float(row["fuzz_seconds"]))


def scaling(url: str, work: Path, minutes: float) -> None:
    one = _finish(_fuzz(work / "one", "reference", url, minutes, seed=3), work / "one")
    rate1 = _rate(one)
    pair = [_fuzz(work / f"two{i}", "reference", url, minutes, seed=4 + i) for i in (0, 1)]
    reports = [_finish(process, work / f"two{i}") for i, process in enumerate(pair)]
    rate2 = sum(_rate(report) for report in reports)
    print(f"cases/s with 1 process: {rate1:.0f}")
    print(f"cases/s with 2 processes sharing the database: {rate2:.0f} "
          f"({' + '.join(str(r['fuzz']['cases']) for r in reports)} cases)")
    print(f"scaling efficiency: {rate2 / (2 * rate1):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=0.2, help="budget of each process")
    parser.add_argument("--scaling-minutes", type=float, default=0.5,
                        help="budget of each process in the scaling part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cpconf-shared-db-") as scratch:
        work = Path(scratch)
        with contextlib.contextmanager(serve)(work) as server:
            find_to_replay(server.port, server.url(0), work, args.minutes)
            scaling(server.url(1), work, args.scaling_minutes)


if __name__ == "__main__":
    main()
