"""``cpconf`` as a user runs it: exit codes, the table, the report, reproduction."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import load_report, run_cpconf, statuses

SUBSET = ["--", "-k", "test_create or test_api or test_placeholder"]


def test_torch_and_reference_conform(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run_cpconf("run", "--impl", "torch", "--impl", "reference",
                        "--report", str(report), cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "clause  level   title" in result.stdout
    data = load_report(report)
    levels = {row["id"]: row["level"] for row in data["implementations"][0]["clauses"]}
    for implementation, rows in statuses(data).items():
        must = {cid: status for cid, status in rows.items() if levels[cid] == "MUST"}
        assert set(must.values()) == {"pass"}, (implementation, must)
    # The reference also meets every SHOULD and MAY clause (torch 2.13 misses S-10).
    assert set(statuses(data)["reference"].values()) == {"pass"}


def test_broken_implementation_fails_its_clause_with_a_working_reproduce_command(
    tmp_path: Path, impl_files: dict[str, Path]
) -> None:
    report = tmp_path / "report.json"
    result = run_cpconf("run", "--impl", str(impl_files["breaks_c3"]), "--report", str(report),
                        *SUBSET, cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    data = load_report(report)
    row = next(r for r in data["implementations"][0]["clauses"] if r["id"] == "C-3")
    assert row["status"] == "fail"
    assert row["message"].startswith("[C-3] values bit for bit (MUST): expected")
    assert "--cp-replay" in row["reproduce"]
    assert "C-3" in result.stdout and "reproduce: python -m pytest" in result.stdout
    env = {**os.environ, "CI": "true",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    rerun = subprocess.run(row["reproduce"], shell=True, cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 1, rerun.stdout[-3000:] + rerun.stderr[-2000:]
    assert "[C-3] values bit for bit" in rerun.stdout


def test_serial_and_parallel_runs_agree_and_repeat(
    tmp_path: Path, impl_files: dict[str, Path]
) -> None:
    reports = [tmp_path / name for name in ("serial1.json", "serial2.json", "parallel.json")]
    for report, workers in zip(reports, ([], [], ["-n", "2"]), strict=True):
        run_cpconf("run", "--impl", str(impl_files["breaks_c3"]), "--impl", "reference",
                   "--report", str(report), *workers, *SUBSET, cwd=tmp_path)
    serial1, serial2, parallel = (load_report(report) for report in reports)
    assert serial1 == serial2, "two ci-profile runs must write the same report"
    assert statuses(serial1) == statuses(parallel)
    assert statuses(serial1)["breaks_c3.py"]["C-3"] == "fail"


def test_thread_bug_reports_the_same_example_serially_and_in_parallel(
    tmp_path: Path, impl_files: dict[str, Path]
) -> None:
    """S-6: the shrunk interleaving is the same under -n 2 as in one process.

    One property only: a process-wide flag that a failing example leaves off stays off for
    every later test in that process, so which tests share a process changes what they see.
    """
    switch_tests = ["--", "-k", "test_isolated_per_thread"]
    failures = []
    for name, workers in (("serial.json", []), ("parallel.json", ["-n", "2"])):
        report = tmp_path / name
        result = run_cpconf("run", "--impl", str(impl_files["global_flag"]), "--report",
                            str(report), *workers, *switch_tests, cwd=tmp_path)
        assert result.returncode == 1, result.stdout[-3000:]
        rows = load_report(report)["implementations"][0]["clauses"]
        failures.append({row["id"]: (row["message"], row["example"])
                         for row in rows if row["status"] == "fail"})
    serial, parallel = failures
    assert list(serial) == ["S-6"] and "timeline:" in serial["S-6"][0]
    assert "replay with: @example(Interleaving(" in serial["S-6"][0]
    assert serial == parallel


def test_unknown_implementation_exits_2_with_one_screen_of_help(tmp_path: Path) -> None:
    result = run_cpconf("run", "--impl", "no_such.module", cwd=tmp_path)
    assert result.returncode == 2
    assert "no_such.module" in result.stderr
    assert "known implementation names: reference, torch" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 24


def test_missing_api_exits_1(tmp_path: Path, impl_files: dict[str, Path]) -> None:
    result = run_cpconf("run", "--impl", str(impl_files["partial_2_4"]),
                        "--", "-k", "test_api", cwd=tmp_path)
    assert result.returncode == 1
    assert "missing-api" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cpconf("run", cwd=tmp_path).returncode == 2
    assert run_cpconf("run", "--impl", "reference", "--profile", "weekly",
                      cwd=tmp_path).returncode == 2
    assert run_cpconf("frobnicate", cwd=tmp_path).returncode == 2


def test_list_names_the_builtin_implementations(tmp_path: Path) -> None:
    result = run_cpconf("list", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("reference") and "reference_impl" in line for line in lines)
    assert any(line.startswith("torch") and "create_parameter_op" in line for line in lines)
