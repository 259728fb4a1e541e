"""``cpconf fuzz``: stops on time, reports failures that reproduce, keeps a database."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance import cli

ROOT = Path(__file__).resolve().parents[1]

BROKEN = "conformance.mutants.g1_scaled"  # halves the gradient: breaks G-1


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("CI", None)
    return env


def _fuzz(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    command = [sys.executable, "-m", "conformance.cli", "fuzz", "--db", str(tmp_path / "db"),
               "--report", str(tmp_path / "report.json"),
               "--junit", str(tmp_path / "junit.xml"), *args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=tmp_path, env=_env(), capture_output=True, text=True,
                          timeout=120)
    return done, time.monotonic() - started


@pytest.mark.process
def test_reference_ends_on_time_and_passes(tmp_path: Path) -> None:
    # The unit layer only: this checks the clock-keeping, and each e2e property's first run
    # (two compiled examples, a cold compile among them) alone would outlast a 12 s budget.
    done, _ = _fuzz(tmp_path, "--impl", "reference", "--minutes", "0.2", "-n", "2",
                    "--layers", "unit")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["fuzz"]["budget_seconds"] == pytest.approx(12)
    # It used its budget (properties stop at most 5 % early); how close to the budget it
    # ends depends on the machine's load: a number for benchmarks, not a timed test.
    assert report["fuzz"]["elapsed_seconds"] > 12 * 0.95 - 1, report["fuzz"]
    rows = {row["id"]: row for row in report["implementations"][0]["clauses"]}
    assert rows["G-1"]["status"] == "pass" and rows["G-1"]["examples"] > 0
    assert rows["G-1"]["cases"] >= rows["G-1"]["examples"]
    assert "[fuzz " in done.stdout  # the periodic progress line
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")


@pytest.mark.process
def test_broken_fails_with_a_reproduce_command_that_fails_again(tmp_path: Path) -> None:
    # G-1's properties only: fuzzing the others would find (and shrink) this mutant's
    # failures of other clauses too, which this test does not look at.
    done, _ = _fuzz(tmp_path, "--impl", BROKEN, "--minutes", "0.1", "-n", "0",
                    "--", "-k", "test_gradient_identity")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    rows = {row["id"]: row for row in report["implementations"][0]["clauses"]}
    failing = rows["G-1"]
    assert failing["status"] == "fail"
    assert failing["example"], "the minimal example is in the report"
    assert "--cp-replay" in failing["reproduce"]
    assert failing["reproduce"] in done.stdout
    assert any(path.is_file() for path in (tmp_path / "db").rglob("*")), "database is empty"

    # Each distinct bug has its own command. Besides wrong bits, this mutant's halving
    # raises on dtypes torch cannot multiply (float8): replay a wrong-bits one, which
    # every seed finds, and see the same clause fail again.
    wrong_bits = next(failure for failure in failing["failures"]
                      if failure["message"].startswith("[G-1]"))
    words = shlex.split(wrong_bits["reproduce"])
    assert words[0] == "python" and "--cp-replay" in words
    again = subprocess.run([sys.executable, *words[1:]], cwd=tmp_path, env=_env(),
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 1, again.stdout[-3000:] + again.stderr[-3000:]
    assert "[G-1]" in again.stdout


@pytest.mark.parametrize("arguments", [
    ["--impl", "no-such-implementation", "--minutes", "0.1"],
    ["--impl", "reference", "--minutes", "0"],
    ["--impl", "reference", "--minutes", "-1"],
    ["--impl", "reference", "--minutes", "nan"],
    ["--impl", "reference", "--minutes", "soon"],
    ["--minutes", "1"],
    ["--impl", "reference", "--minutes", "0.1", "--devices", "tpu"],
    ["--impl", "reference", "--minutes", "0.1", "--db", "http://example.org/db"],
    ["--impl", "reference", "--minutes", "0.1", "--db", "a_file"],
    ["--impl", "reference", "--minutes", "0.1", "--db", "a_file/db"],
])
def test_usage_errors_exit_2(tmp_path: Path, arguments: list[str],
                             monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2 and argparse's form, whether argparse or the command found the error."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("")  # a database directory cannot be made here
    try:
        code = cli.main(["fuzz", "--db", str(tmp_path / "db"), *arguments])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    assert code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("cpconf fuzz: error: "), errors


def test_one_timer_bounds_a_whole_example() -> None:
    from conformance.deadline import ImplementationHang, example_deadline, guard

    fast = guard(lambda: 1, "fast", 30.0)
    with example_deadline(5.0, "an example"):
        assert fast() == 1  # runs unarmed inside the example's timer
    with pytest.raises(ImplementationHang, match=r"an example did not return within 0\.2 s"):
        with example_deadline(0.2, "an example"):
            guard(time.sleep, "sleep", 30.0)(5)
    assert fast() == 1  # armed per call again, and no stray alarm left behind
    time.sleep(0.3)


@pytest.mark.parametrize("stop", ["hang", "fail"])
def test_the_first_failure_counts_whatever_stopped_the_example(stop: str) -> None:
    """Examples to the first failure (the fuzz report's ``first_failure``) count a hang
    (``ImplementationHang``, a BaseException so that an implementation cannot swallow it)
    and ``pytest.fail`` like any assertion, as ``cpconf mutants``'s clock does."""
    from hypothesis import Phase, given, settings
    from hypothesis import strategies as st

    from conformance.deadline import ImplementationHang
    from conformance.fuzzing.hypothesis_patches import instrumented
    from conformance.loader import load_all

    stopped = ImplementationHang if stop == "hang" else pytest.fail.Exception
    calls_seen: list[int] = []

    @settings(max_examples=10, database=None, phases=[Phase.generate], derandomize=True)
    @given(st.integers())
    def prop(value: int) -> None:
        calls_seen.append(value)
        if len(calls_seen) >= 3:  # from the third example on, replays included
            if stop == "hang":
                raise ImplementationHang("an example did not return within 1 s")
            pytest.fail("wrong")

    implementation = load_all(["reference"])[0]
    with instrumented(prop, implementation, 1, "prop", database=False) as calls:
        with pytest.raises(stopped):
            prop()
    assert calls.clock.first_failure is not None, calls_seen
    assert calls.clock.first_failure[0] == 3, calls_seen
