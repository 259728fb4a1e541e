"""A shared Redis example database, shards and merged reports, on a real ``redis-server``.

The failing implementation is a mutant from ``conformance/mutants/`` (G-1:
backward halves the gradient). Each ``cpconf fuzz`` process imports torch, so
there are few of them and each fuzzes only the gradient properties.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import cli
from conformance.database import DatabaseLostWarning, open_database
from tests.redis_server import RedisServer, serve

ROOT = Path(__file__).resolve().parents[1]
MUTANT = str(ROOT / "conformance" / "mutants" / "g1_scaled.py")
GRADIENT_ONLY = "test_gradient_identity and not special"


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    yield from serve(tmp_path)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("CI", None)
    return env


Finished = tuple[subprocess.CompletedProcess[str], dict[str, Any]]
"""A ``cpconf fuzz`` process that has ended, and its report."""


def _fuzz(workdir: Path, db: str, *args: str, select: str = GRADIENT_ONLY,
          seed: int = 1) -> Finished:
    """One ``cpconf fuzz`` process in its own directory (no local database there)."""
    return _fuzz_at_once([(workdir, args)], db, select=select, seed=seed)[0]


def _fuzz_at_once(runs: list[tuple[Path, tuple[str, ...]]], db: str, *,
                  select: str = GRADIENT_ONLY, seed: int = 1) -> list[Finished]:
    """``cpconf fuzz`` processes side by side, one per (directory, extra arguments), as
    machines sharing one database run them: each ends on its own time budget."""
    started = []
    for workdir, args in runs:
        workdir.mkdir(parents=True, exist_ok=True)
        report = workdir / "report.json"
        command = [sys.executable, "-m", "conformance.cli", "fuzz", "--impl", MUTANT,
                   "--db", db, "--minutes", "0.1", "-n", "0", "--report", str(report), *args,
                   "--", "-k", select, f"--hypothesis-seed={seed}"]
        process = subprocess.Popen(command, cwd=workdir, env=_env(), text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append((process, command, report))
    finished = []
    try:
        for process, command, report in started:
            stdout, stderr = process.communicate(timeout=180)
            done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
            assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
            finished.append((done, json.loads(report.read_text())))
    finally:  # one that failed or timed out leaves none of the others running
        for process, _, _ in started:
            if process.poll() is None:
                process.kill()
                process.wait()
    return finished


def _row(report: dict[str, Any], clause_id: str) -> dict[str, Any]:
    return next(row for row in report["implementations"][0]["clauses"] if row["id"] == clause_id)


def _statuses(report: dict[str, Any]) -> dict[str, str]:
    return {row["id"]: row["status"] for row in report["implementations"][0]["clauses"]}


@pytest.mark.process
def test_a_failure_one_process_found_is_the_first_example_another_runs(
        tmp_path: Path, redis: RedisServer) -> None:
    url = redis.url(0)
    first, found = _fuzz(tmp_path / "a", url, seed=1)
    assert first.returncode == 1, first.stdout[-3000:] + first.stderr[-3000:]
    finder = _row(found, "G-1")
    assert finder["status"] == "fail"
    assert finder["replayed"] == 0  # an empty database: it found the failure itself
    # A later process, another seed, another directory: the shared database hands it the
    # failure, and the very first example it runs is that failure.
    second, replayed = _fuzz(tmp_path / "b", url, seed=2)
    assert second.returncode == 1, second.stdout[-3000:] + second.stderr[-3000:]
    replayer = _row(replayed, "G-1")
    assert replayer["status"] == "fail"
    assert replayer["replayed"] >= 1
    assert replayer["first_failure"] == 1
    assert not (tmp_path / "b" / ".cpconf-db").exists()
    assert replayed["fuzz"]["database"] == url
    print(f"found after {finder['first_failure']} examples, {finder['first_failure_seconds']} s;"
          f" replayed as example 1 after {replayer['first_failure_seconds']} s")


@pytest.mark.process
def test_two_shards_merged_report_what_one_unsharded_run_reports(
        tmp_path: Path, redis: RedisServer) -> None:
    url = redis.url(1)
    whole_run, whole = _fuzz(tmp_path / "whole", url, select="test_gradient")
    assert whole_run.returncode == 1, whole_run.stdout[-3000:] + whole_run.stderr[-3000:]
    # The two shards at once, as two machines would run them (the failure is in the database)
    shards = [report for _, report in _fuzz_at_once(
        [(tmp_path / f"shard{i}", ("--shard", f"{i}/2")) for i in (1, 2)], url,
        select="test_gradient")]
    assert [shard["shard"] for shard in shards] == ["1/2", "2/2"]
    # Each shard leaves out clauses checked only by the other, saying so.
    elsewhere = [row for shard in shards for row in shard["implementations"][0]["clauses"]
                 if row.get("reason", "").startswith("in another shard")]
    assert elsewhere
    paths = []
    for index, shard in enumerate(shards):
        paths.append(tmp_path / f"shard{index + 1}.json")
        paths[-1].write_text(json.dumps(shard))
    out, junit = tmp_path / "merged.json", tmp_path / "merged.xml"
    code = cli.main(["merge", str(out), *map(str, paths), "--junit", str(junit)])
    merged = json.loads(out.read_text())
    assert code == 1
    assert _statuses(merged) == _statuses(whole)
    assert _row(merged, "G-1")["status"] == "fail"
    assert _row(merged, "G-2")["examples"] == sum(
        _row(shard, "G-2").get("examples", 0) for shard in shards)
    assert "<failure" in junit.read_text()


def test_a_stopped_server_is_a_usage_error(tmp_path: Path, redis: RedisServer,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = redis.url(0)
    redis.stop()
    code = cli.main(["fuzz", "--impl", "reference", "--db", url, "--minutes", "0.1"])
    assert code == 2
    error = capsys.readouterr().err
    assert "cannot reach the example database" in error and url in error


def test_a_server_lost_mid_run_warns_once_and_fails_nothing(redis: RedisServer) -> None:
    database = open_database(redis.url(2))
    database.save(b"key", b"value")
    assert list(database.fetch(b"key")) == [b"value"]
    redis.stop()

    @settings(database=database, max_examples=50)
    @given(st.integers())
    def passes(number: int) -> None:
        assert isinstance(number, int)

    @settings(database=database, max_examples=200)
    @given(st.integers())
    def fails(number: int) -> None:
        assert number < 1000

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        passes()
        with pytest.raises(AssertionError):  # the property's own failure, not the database's
            fails()
    lost = [warning for warning in caught if issubclass(warning.category, DatabaseLostWarning)]
    assert len(lost) == 1, [str(warning.message) for warning in caught]
    assert database.lost is not None


@pytest.mark.process
def test_a_fuzz_run_that_loses_its_server_ends_with_its_report(
        tmp_path: Path, redis: RedisServer) -> None:
    url = redis.url(3)
    report_file = tmp_path / "report.json"
    command = [sys.executable, "-m", "conformance.cli", "fuzz", "--impl", "reference",
               "--db", url, "--minutes", "0.15", "-n", "0", "--report", str(report_file),
               "--", "-k", "test_gradient"]
    process = subprocess.Popen(command, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:  # ends when the process closes its output
        lines.append(line)
        if line.startswith("fuzz ") and redis.process.poll() is None:
            redis.stop()  # one property has finished; the next ones find no server
    process.wait(timeout=180)
    output = "".join(lines)
    assert process.returncode in (0, 1), output[-3000:]  # a verdict, not a usage error
    report = json.loads(report_file.read_text())
    assert "cannot reach the example database" in report["fuzz"]["database_lost"]
    assert output.count("failures found after that were not shared") == 1
    gradient = [row for row in report["implementations"][0]["clauses"]
                if row["id"].startswith("G-")]
    assert gradient and all(row["status"] == "pass" for row in gradient), gradient
