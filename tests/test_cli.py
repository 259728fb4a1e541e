"""``cpconf`` as a user runs it: exit codes, the table, the report, reproduction."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import cli
from tests.conftest import (
    C3_MUTANT,
    PROCESS_WIDE_FLAG,
    load_report,
    run_cpconf,
    statuses,
)

C3_PROPERTIES = ["--", "-k", "test_values_bit_for_bit"]
"""C-3's properties: the drawn one and the special-value sweep."""


@pytest.mark.process
def test_torch_and_reference_conform(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run_cpconf("run", "--impl", "torch", "--impl", "reference", "--expect", "torch",
                        "--report", str(report), cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "clause  level   title" in result.stdout
    data = load_report(report)
    levels = {row["id"]: row["level"] for row in data["implementations"][0]["clauses"]}
    for implementation, rows in statuses(data).items():
        must = {cid: status for cid, status in rows.items() if levels[cid] == "MUST"}
        assert set(must.values()) == {"pass"}, (implementation, must)
    # The reference also meets every SHOULD and MAY clause the default profile checks
    # (inductor, E-8, is nightly's); torch 2.13 misses S-10, as the shipped expectations
    # file says.
    reference = statuses(data)["reference"]
    assert reference.pop("E-8") == "not-applicable"
    assert set(reference.values()) == {"pass"}
    e8 = next(row for entry in data["implementations"] if entry["id"] == "reference"
              for row in entry["clauses"] if row["id"] == "E-8")
    assert "only by the nightly profile" in e8["reason"] and "profile: ci" in e8["reason"], e8
    assert statuses(data)["torch"]["S-10"] == "expected-fail"
    assert "torch: conforms (every applicable MUST clause passes; expected failures S-10)" \
        in result.stdout
    # E-5 passes with a graph break Dynamo reports; a run without -v shows no Dynamo log
    # (test_end_to_end.py::test_torch_copied_outside_torch_fails_only_the_placement_clause
    # shows it with -v).
    pytest_log = (tmp_path / "report.pytest.log").read_text()
    assert " passed" in pytest_log, pytest_log[-2000:]
    for quiet_run_output in (pytest_log, result.stdout):
        assert "dynamo log" not in quiet_run_output and "graph break" not in quiet_run_output


@pytest.mark.process
def test_broken_implementation_fails_its_clause_with_a_working_reproduce_command(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.json"
    result = run_cpconf("run", "--impl", C3_MUTANT, "--report", str(report), "-n", "0",
                        *C3_PROPERTIES, cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    data = load_report(report)
    row = next(r for r in data["implementations"][0]["clauses"] if r["id"] == "C-3")
    assert row["status"] == "fail"
    assert row["message"].startswith("[C-3] values bit for bit (MUST): expected")
    # the drawn-example failure (the sweep's has no blob to replay) reproduces exactly
    drawn = next(f for f in row["failures"] if "--cp-replay" in f["reproduce"])
    assert "C-3" in result.stdout and "reproduce: python -m pytest" in result.stdout
    env = {**os.environ, "CI": "true",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    rerun = subprocess.run(drawn["reproduce"], shell=True, cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 1, rerun.stdout[-3000:] + rerun.stderr[-2000:]
    assert "[C-3] values bit for bit" in rerun.stdout


SHUFFLE_PLUGIN = """
import random

def pytest_collection_modifyitems(items):
    random.Random(20261201).shuffle(items)
"""


@pytest.mark.process
def test_default_runs_write_the_same_report_serial_and_parallel_in_another_order(
    tmp_path: Path,
) -> None:
    """Derandomized by default, whatever CI says. An implementation whose switch is one
    process-wide flag leaves state behind between tests: a serial run and a run on two
    workers in a shuffled test order (both differences at once: either alone would show
    as a difference too) write byte-identical reports, with the same shrunk interleaving."""
    (tmp_path / "shuffle_tests.py").write_text(SHUFFLE_PLUGIN)
    env = {"CI": "", "PYTHONPATH": os.pathsep.join(
        filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    # the properties where this flag leaks state: a thread ending inside a context,
    # generators closed out of order, a state machine whose examples share the flag
    switch_tests = ["-k", "test_isolated_per_thread or test_dead_threads or test_state_machine "
                    "or test_async_behaviour"]
    runs = {"serial": ["-n", "0", "--", *switch_tests],
            "parallel-shuffled": ["-n", "2", "--", *switch_tests, "-p", "shuffle_tests"]}
    reports = {}
    for name, extra in runs.items():
        report = tmp_path / f"{name}.json"
        result = run_cpconf("run", "--impl", PROCESS_WIDE_FLAG,
                            "--report", str(report), *extra, cwd=tmp_path, env=env)
        assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
        reports[name] = report.read_bytes()
    assert reports["serial"] == reports["parallel-shuffled"]
    data = load_report(tmp_path / "serial.json")
    assert data["seed"] == "derandomized"
    rows = {row["id"]: row for row in data["implementations"][0]["clauses"]}
    assert rows["S-6"]["status"] == rows["S-8"]["status"] == "fail"
    assert rows["S-3"]["status"] == "fail"  # blamed on the test that left the flag off
    shrunk = [f["message"] for f in rows["S-6"]["failures"] if "timeline:" in f["message"]]
    assert shrunk and "replay with: @example(Interleaving(" in shrunk[0]


@pytest.mark.process
def test_unknown_implementation_exits_2_with_one_screen_of_help(tmp_path: Path) -> None:
    result = run_cpconf("run", "--impl", "no_such.module", cwd=tmp_path)
    assert result.returncode == 2
    assert "no_such.module" in result.stderr
    assert "known implementation names: reference, torch" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 24


@pytest.mark.process
def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """Exit 2, and one error line in argparse's form, whether argparse or the command found
    the error: ``cpconf run: error: ...``."""
    assert run_cpconf("frobnicate", cwd=tmp_path).returncode == 2
    no_impl = run_cpconf("run", cwd=tmp_path)
    bad_profile = run_cpconf("run", "--impl", "reference", "--profile", "weekly", cwd=tmp_path)
    # named as the user typed it, and found before any implementation is loaded
    devices = run_cpconf("run", "--impl", "no_such.module", "--devices", "cpu,tpu", cwd=tmp_path)
    for result in (no_impl, bad_profile, devices):
        assert result.returncode == 2
        errors = [line for line in result.stderr.splitlines() if "error:" in line]
        assert len(errors) == 1 and errors[0].startswith("cpconf run: error: "), result.stderr
    assert devices.stderr.startswith("cpconf run: error: --devices: unknown device 'tpu'"), \
        devices.stderr
    assert "no_such.module" not in devices.stderr


@pytest.mark.process
def test_list_names_the_builtin_implementations(tmp_path: Path) -> None:
    result = run_cpconf("list", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("reference") and "reference_impl" in line for line in lines)
    assert any(line.startswith("torch") and "create_parameter_op" in line for line in lines)


@pytest.mark.parametrize("command", [
    ["run", "--impl", "reference"],
    ["fuzz", "--impl", "reference", "--minutes", "0.1", "--db", "db"],
    ["mutants", "--only", "c3_signed_zero"],
], ids=lambda command: command[0])
def test_a_pytest_usage_error_exits_2_and_says_where_pytest_said_why(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An argument only pytest can judge (after ``--``) stops its session before any
    report: pytest's own error, then one line of ours in argparse's form. In this process:
    pytest rejects the argument before any session starts."""
    monkeypatch.chdir(tmp_path)
    assert cli.main([*command, "--", "--no-such-pytest-option"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --no-such-pytest-option" in err
    ours = err.splitlines()[-1]
    assert ours.startswith(f"cpconf {command[0]}: error: pytest stopped before writing a "
                           "report; see its output above"), err


@pytest.mark.parametrize("command", [
    ["run", "--impl", "reference", "--report"],
    ["run", "--impl", "reference", "--junit"],
    ["fuzz", "--impl", "reference", "--minutes", "0.1", "--db", "db", "--junit"],
    ["mutants", "--only", "c3_signed_zero", "--matrix"],
], ids=lambda command: f"{command[0]} {command[-1]}")
@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_an_output_file_that_cannot_be_written_is_a_usage_error(
    command: list[str], where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Found before any test runs, not as a traceback once the run is over (or, for JUnit,
    from inside pytest)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("")
    target = tmp_path if where == "a folder" else tmp_path / "a_file" / "out.xml"
    assert cli.main([*command, str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cpconf {command[0]}: error: {command[-1]}: "), err
    assert ("is a folder" if where == "a folder" else "cannot make the folder") in err
    assert "Traceback" not in err


@pytest.mark.parametrize("workers", ["abc", "-1", "2.5"])
@pytest.mark.parametrize("command", [["run", "--impl", "reference"],
                                     ["fuzz", "--impl", "reference"], ["mutants"]],
                         ids=lambda command: command[0])
def test_a_worker_count_xdist_cannot_take_is_a_usage_error(
    command: list[str], workers: str, capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([*command, "-n", workers])
    assert exited.value.code == 2
    assert f"cpconf {command[0]}: error: argument -n: {workers!r} is not a number of worker " \
        "processes" in capsys.readouterr().err


EXIT_WITH_THREADS = """
import concurrent.futures, sys, threading, time
from conformance import cli
cli.STRAY_THREAD_GRACE = 2
pool = concurrent.futures.ThreadPoolExecutor(2)  # idle at exit: Python shuts it down
pool.submit(time.sleep, 0.1)
if sys.argv[1] == "stuck":
    threading.Thread(target=time.sleep, args=(600,), name="left-running").start()
sys.argv = ["cpconf", "list"]
cli.entry()
"""


@pytest.mark.process
@pytest.mark.parametrize("threads", ["stuck", "idle pool"])
def test_cpconf_exits_after_its_verdict_though_a_thread_is_left_running(
    tmp_path: Path, threads: str,
) -> None:
    """Python waits for every non-daemon thread at exit: one an implementation left
    running must not keep cpconf (a CI job) from ending. A thread pool Python shuts down
    itself is no reason for a warning."""
    result = subprocess.run([sys.executable, "-c", EXIT_WITH_THREADS, threads], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "reference" in result.stdout  # the command's own output came first
    if threads == "idle pool":
        assert result.stderr == ""
        return
    assert result.stderr.startswith("cpconf: warning: exiting without waiting for 1 non-daemon "
                                    "thread(s) still running"), result.stderr
    assert "'left-running'" in result.stderr


INTERRUPTER = """
def pytest_runtest_call(item):
    if "test_switch_reader_returns_bool" in item.nodeid:
        raise KeyboardInterrupt
"""


def test_an_interrupted_run_says_so_and_does_not_conform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C mid-run (a plugin raises KeyboardInterrupt as one reaches a property): the
    report holds what ran, the rest is not-run, and the output says the run was stopped."""
    (tmp_path / "interrupter.py").write_text(INTERRUPTER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "r.json"
    code = cli.main(["run", "--impl", "reference", "-n", "0", "--report", str(report), "--",
                     "-p", "interrupter", "-k", "test_api"])
    assert code == 1
    captured = capsys.readouterr()
    assert "cpconf run: interrupted: the clauses the run did not reach are not-run" \
        in captured.err
    assert "reference: does NOT conform (not-run" in captured.out
    rows = statuses(load_report(report))["reference"]
    assert rows["A-1"] == "pass" and rows["A-4"] == "not-run"


CRASH_AT_IMPORT = "import ctypes\nctypes.string_at(0)  # reads address 0: a segfault\n"


@pytest.mark.process
def test_an_implementation_that_crashes_the_interpreter_at_import_is_shown_where(
    tmp_path: Path,
) -> None:
    """No process survives a segfault, but cpconf's must not end with a bare exit status:
    the user sees that it was a fatal signal and the line of their module that caused it."""
    module = tmp_path / "crashes.py"
    module.write_text(CRASH_AT_IMPORT)
    result = subprocess.run(
        [sys.executable, "-c", "from conformance import cli; cli.entry()", "run", "--impl",
         str(module)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode < 0, (result.returncode, result.stderr)  # killed by its signal
    assert "Fatal Python error: Segmentation fault" in result.stderr, result.stderr
    assert f'File "{module}", line 2 in <module>' in result.stderr, result.stderr


@pytest.mark.process
def test_cpconf_runs_with_a_stderr_that_has_no_file(tmp_path: Path) -> None:
    """The crash traceback needs a stderr file descriptor; a host that gives the program
    none (stderr replaced in-process) still gets the command, without it."""
    program = ("import io, sys\nsys.stderr = io.StringIO()\nsys.argv = ['cpconf', 'list']\n"
               "from conformance import cli\ncli.entry()\n")
    result = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "reference" in result.stdout
