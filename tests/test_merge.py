"""Shards and ``cpconf merge`` without a server: the split, the precedence, the refusals."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance import clauses, cli
from conformance.coverage import clauses_by_property
from conformance.merge import PRECEDENCE, MergeError, junit_xml, merge, merge_rows
from conformance.report.results import SCHEMA_VERSION, STATUSES
from conformance.sharding import Shard


def _report(statuses: dict[str, str], shard: str | None = None, **meta: Any) -> dict[str, Any]:
    rows = []
    for clause in clauses.CLAUSES:
        status = statuses.get(clause.id, "pass")
        row: dict[str, Any] = {"id": clause.id, "level": clause.level, "title": clause.title,
                               "status": status, "examples": 3, "cases": 7}
        if status == "fail":
            failure = {"test": f"t::{clause.id}", "message": "m", "example": "e",
                       "reproduce": "r"}
            row.update(message="m", example="e", reproduce="r", failures=[failure])
        if status == "not-applicable" and shard is not None:
            row["reason"] = f"in another shard ({shard})"
        rows.append(row)
    report = {"schema_version": SCHEMA_VERSION, "suite_version": "0.1.0",
              "torch_version": "2.13.0+cpu", "profile": "nightly", "seed": "1",
              "implementations": [{"id": "impl.py", "spec": "impl.py", "origin": "file",
                                   "missing_api": [], "clauses": rows}]}
    if shard is not None:
        report["shard"] = shard
    report.update(meta)
    return report


def test_the_precedence_names_every_status_once() -> None:
    assert sorted(PRECEDENCE) == sorted(STATUSES)


@pytest.mark.parametrize("pair", list(itertools.combinations(PRECEDENCE, 2)))
def test_the_earlier_status_wins_in_either_order(pair: tuple[str, str]) -> None:
    stronger, weaker = pair
    rows = [{"id": "G-1", "level": "MUST", "title": "t", "status": status}
            for status in (stronger, weaker)]
    assert merge_rows(rows)["status"] == stronger
    assert merge_rows(rows[::-1])["status"] == stronger


def test_a_clause_in_another_shard_counts_as_no_evidence() -> None:
    elsewhere = {"id": "G-1", "level": "MUST", "title": "t", "status": "not-applicable",
                 "reason": "in another shard (1/2)"}
    ran = {"id": "G-1", "level": "MUST", "title": "t", "status": "not-run"}
    assert merge_rows([elsewhere, ran])["status"] == "not-run"
    # Both shards say "elsewhere": the shard that had it was not merged.
    assert merge_rows([elsewhere, elsewhere])["status"] == "not-run"


def test_failures_anywhere_fail_and_counts_add_up(tmp_path: Path) -> None:
    one = _report({"G-1": "fail", "C-3": "not-applicable"}, shard="1/2")
    two = _report({"G-1": "pass", "G-2": "not-applicable"}, shard="2/2", seed="2")
    merged = merge([one, two], ["one", "two"])
    rows = {row["id"]: row for row in merged["implementations"][0]["clauses"]}
    assert rows["G-1"]["status"] == "fail" and rows["G-1"]["reproduce"] == "r"
    assert rows["C-3"]["status"] == "pass" and rows["G-2"]["status"] == "pass"
    assert rows["G-1"]["examples"] == 6 and rows["G-1"]["cases"] == 14
    assert merged["seed"] == "1, 2"
    assert "failures=\"1\"" in junit_xml(merged).decode()
    paths = [tmp_path / "one.json", tmp_path / "two.json"]
    for path, report in zip(paths, (one, two), strict=True):
        path.write_text(json.dumps(report))
    assert cli.main(["merge", str(tmp_path / "out.json"), *map(str, paths)]) == 1
    # Shard 2 alone: what only shard 1 checked did not run, so it cannot conform.
    assert cli.main(["merge", str(tmp_path / "out.json"), str(paths[1])]) == 1
    alone = json.loads((tmp_path / "out.json").read_text())
    assert {row["id"]: row["status"] for row in alone["implementations"][0]["clauses"]}[
        "G-2"] == "not-run"
    (tmp_path / "whole.json").write_text(json.dumps(_report({})))
    assert cli.main(["merge", str(tmp_path / "out.json"), str(tmp_path / "whole.json")]) == 0


@pytest.mark.parametrize("change", [
    {"torch_version": "2.12.0"}, {"suite_version": "0.0.9"}, {"profile": "ci"},
    {"implementations": [{"id": "other.py", "spec": "other.py", "clauses": []}]},
    {"shard": "1/2"}, {"shard": "1/3"},
])
def test_reports_of_different_runs_are_refused(tmp_path: Path, change: dict[str, Any],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    base = _report({}, shard="1/2")
    other = copy.deepcopy(base)
    other.pop("shard")
    other.update(change)
    with pytest.raises(MergeError):
        merge([base, other], ["base", "other"])
    paths = [tmp_path / "base.json", tmp_path / "other.json"]
    for path, report in zip(paths, (base, other), strict=True):
        path.write_text(json.dumps(report))
    assert cli.main(["merge", str(tmp_path / "out.json"), *map(str, paths)]) == 2
    assert "cpconf merge: error:" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def _without_status(report: dict[str, Any]) -> None:
    del report["implementations"][0]["clauses"][3]["status"]


def _unknown_status(report: dict[str, Any]) -> None:
    report["implementations"][0]["clauses"][3]["status"] = "passed"


def _count_as_text(report: dict[str, Any]) -> None:
    report["implementations"][0]["clauses"][3]["examples"] = "3"


def _clauses_not_a_list(report: dict[str, Any]) -> None:
    report["implementations"][0]["clauses"] = {"A-1": "pass"}


@pytest.mark.parametrize(("damage", "said"), [
    (_without_status, "a clause row without status: {'id': 'A-4'"),
    (_unknown_status, "unknown status 'passed'"),
    (_count_as_text, "counts that are not numbers: {'examples': '3'"),
    (_clauses_not_a_list, "an implementation entry without an id and a list of clause rows"),
], ids=["without status", "unknown status", "count as text", "clauses not a list"])
def test_a_report_not_as_cpconf_writes_it_is_a_usage_error_naming_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[dict[str, Any]], None],
    said: str,
) -> None:
    """A hand-edited or cut-off report: one line that says which file, implementation and
    clause, before anything is written; never a traceback halfway through the merge."""
    good, bad = _report({}, shard="1/2"), _report({}, shard="2/2")
    damage(bad)
    paths = [tmp_path / "good.json", tmp_path / "bad.json"]
    for path, report in zip(paths, (good, bad), strict=True):
        path.write_text(json.dumps(report))
    assert cli.main(["merge", str(tmp_path / "out.json"), *map(str, paths)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cpconf merge: error: {paths[1]}: "), err
    assert said in err and "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


def test_an_output_that_is_a_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "shard.json"
    path.write_text(json.dumps(_report({})))
    assert cli.main(["merge", str(tmp_path), str(path)]) == 2
    assert capsys.readouterr().err.startswith(
        f"cpconf merge: error: OUT.json: {tmp_path} is a folder")


def test_shards_cover_every_property_exactly_once() -> None:
    everything = sorted(clauses_by_property())
    for count in (1, 2, 3, 7, len(everything) + 1):
        shares = [Shard(index, count).properties() for index in range(1, count + 1)]
        assert sorted(itertools.chain.from_iterable(shares)) == everything
        for index in range(1, count + 1):  # a clause left out of a shard runs in another
            shard = Shard(index, count)
            assert shard.properties() == Shard.parse(shard.label).properties()  # type: ignore[union-attr]
            mine = {cid for name in shard.properties() for cid in clauses_by_property()[name]}
            assert not mine & set(shard.clauses_elsewhere())


@pytest.mark.parametrize("spec", ["0/2", "3/2", "1/0", "2", "a/b", "-1/2"])
def test_a_bad_shard_is_a_usage_error(spec: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError):
        Shard.parse(spec)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["fuzz", "--impl", "reference", "--db", str(tmp_path / "db"),
                     f"--shard={spec}", "--minutes", "0.1"])
    assert code == 2


@pytest.mark.parametrize(("option", "message"), [
    ("--cp-shard=2/1", "--shard 2/1"),
    ("--cp-db=redis://127.0.0.1:1/0", "cannot reach the example database"),
    ("--cp-db=https://example.org/db", "not a database this suite can use"),
    (f"--cp-db={__file__}", "a file, not a directory"),  # this very test file
    ("--cp-db-expire-days=0", "must be positive"),
], ids=["shard", "unreachable server", "not redis", "a file", "expiry"])
def test_the_plugin_refuses_a_bad_shard_or_database(
    run_in_process: Callable[..., pytest.RunResult], option: str, message: str,
) -> None:
    result = run_in_process("--pyargs", "conformance.properties.test_api",
                            "--cp-impl", "reference", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
