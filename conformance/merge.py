"""Merging reports: shards (or machines) of one run become one report and one verdict.

Reports merge only when they describe the same run: the same suite and torch
versions, the same implementations (ID and SPEC) and the same profile
(:class:`MergeError` otherwise). Per implementation and clause, the merged
status is the first of :data:`PRECEDENCE` that any report gives it:

``fail > unexpected-pass > blocked > missing-api > expected-fail > pass >
not-applicable > not-run``

A failure anywhere is a failure; an expectation that no longer holds comes
next; then reasons it could not be judged; then evidence that it holds; a
clause that is not applicable, or did not run, only where no report says more.
A row that a shard marked ``not-applicable`` only because it ran in another
shard (:mod:`conformance.sharding`) is no evidence at all: when every report
says so (its shard is missing), the clause is ``not-run``. Examples, cases and
replayed examples add up; failures are listed from every report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

from conformance import clauses
from conformance.report.policy import decide
from conformance.report.results import SCHEMA_VERSION
from conformance.sharding import REASON_PREFIX

PRECEDENCE = (
    "fail", "unexpected-pass", "blocked", "missing-api", "expected-fail", "pass",
    "not-applicable", "not-run",
)
SAME = ("schema_version", "suite_version", "torch_version", "profile")
_SUMMED = ("examples", "cases", "replayed")


class MergeError(ValueError):
    """Reports that cannot be merged (a usage error)."""


def _identity(entry: Mapping[str, Any]) -> tuple[str, str]:
    return str(entry["id"]), str(entry.get("spec", ""))


def check_compatible(reports: Sequence[Mapping[str, Any]], names: Sequence[str]) -> None:
    """Raise :class:`MergeError` naming the first difference that forbids a merge."""
    if not reports:
        raise MergeError("nothing to merge: give at least one report")
    first, first_name = reports[0], names[0]
    if first.get("schema_version") != SCHEMA_VERSION:
        raise MergeError(f"{first_name}: report schema {first.get('schema_version')!r}, "
                         f"this cpconf reads schema {SCHEMA_VERSION}")
    for report, name in zip(reports, names, strict=True):
        _check_rows(report, name)
    for report, name in zip(reports[1:], names[1:], strict=True):
        for key in SAME:
            if report.get(key) != first.get(key):
                raise MergeError(f"{name} has {key} {report.get(key)!r}, {first_name} has "
                                 f"{first.get(key)!r}: reports of different runs do not merge")
        mine = [_identity(entry) for entry in report["implementations"]]
        theirs = [_identity(entry) for entry in first["implementations"]]
        if mine != theirs:
            raise MergeError(f"{name} checks implementations {mine}, {first_name} checks "
                             f"{theirs}: reports of different implementations do not merge")
    shards = [str(report["shard"]) for report in reports if report.get("shard")]
    repeated = sorted({shard for shard in shards if shards.count(shard) > 1})
    if repeated:
        raise MergeError(f"shard {', '.join(repeated)} given more than once")
    counts = {str(shard).split("/", 1)[1] for shard in shards}
    if len(counts) > 1:
        raise MergeError(f"shards of different splits ({', '.join(shards)}) do not merge")


ROW_KEYS = ("id", "level", "title", "status")
"""What every clause row of a report has (the merge reads them all)."""


def _check_rows(report: Mapping[str, Any], name: str) -> None:
    """Raise :class:`MergeError` at the first implementation entry or clause row of
    ``report`` that is not as cpconf writes it (a hand-edited or cut-off file), naming
    it, rather than failing with a traceback halfway through the merge."""
    for entry in report["implementations"]:
        if not isinstance(entry, Mapping) or "id" not in entry \
                or not isinstance(entry.get("clauses"), list):
            raise MergeError(f"{name}: an implementation entry without an id and a list "
                             "of clause rows: not a cpconf report")
        for row in entry["clauses"]:
            where = f"{name}: {entry['id']}"
            missing = [key for key in ROW_KEYS if key not in row] \
                if isinstance(row, Mapping) else list(ROW_KEYS)
            if missing:
                raise MergeError(f"{where}: a clause row without {', '.join(missing)}: "
                                 f"{str(row)[:80]}")
            if row["status"] not in PRECEDENCE:
                raise MergeError(f"{where} {row['id']}: unknown status {row['status']!r} "
                                 f"(a report has {', '.join(PRECEDENCE)})")
            counts = {key: row[key] for key in (*_SUMMED, "fuzz_seconds") if key in row}
            if any(isinstance(value, bool) or not isinstance(value, int | float)
                   for value in counts.values()):
                raise MergeError(f"{where} {row['id']}: counts that are not numbers: {counts}")


def _is_elsewhere(row: Mapping[str, Any]) -> bool:
    return row["status"] == "not-applicable" and str(row.get("reason", "")).startswith(
        REASON_PREFIX)


def merge_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One clause's rows (one per report) as one row."""
    evidence = [row for row in rows if not _is_elsewhere(row)]
    if not evidence:
        merged = {key: rows[0][key] for key in ("id", "level", "title")}
        merged.update(status="not-run", reason="its shard's report was not merged")
        return merged
    status = min((row["status"] for row in evidence), key=PRECEDENCE.index)
    deciding = [row for row in evidence if row["status"] == status]
    merged = {key: value for key, value in deciding[0].items()
              if key not in ("failures", "reason", *_SUMMED, "fuzz_seconds", "first_failure",
                             "first_failure_seconds")}
    reasons = sorted({str(row["reason"]) for row in deciding if row.get("reason")})
    if reasons:
        merged["reason"] = "; ".join(reasons)
    failures = sorted((failure for row in evidence for failure in row.get("failures", ())),
                      key=lambda failure: str(failure.get("test", "")))
    if failures:
        merged["failures"] = failures
        merged.update({key: failures[0].get(key, "") for key in ("message", "example",
                                                                   "reproduce")})
    for key in _SUMMED:
        if any(key in row for row in rows):
            merged[key] = sum(int(row.get(key, 0)) for row in rows)
    if any("fuzz_seconds" in row for row in rows):
        merged["fuzz_seconds"] = round(sum(float(row.get("fuzz_seconds", 0)) for row in rows), 3)
    found = [row for row in rows if row.get("first_failure")]
    if found:
        earliest = min(found, key=lambda row: float(row.get("first_failure_seconds", 0)))
        merged["first_failure"] = earliest["first_failure"]
        merged["first_failure_seconds"] = earliest.get("first_failure_seconds", 0)
    return merged


def merge(reports: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    """One report from ``reports`` (read from ``names``, used in error messages)."""
    check_compatible(reports, names)
    first = reports[0]
    merged: dict[str, Any] = {
        key: value for key, value in first.items()
        if key not in ("implementations", "fuzz", "shard", "seed")
    }
    seeds = [str(report.get("seed")) for report in reports]
    merged["seed"] = seeds[0] if len(set(seeds)) == 1 else ", ".join(seeds)
    merged["merged_from"] = [
        {"report": name, "shard": report.get("shard"), "seed": report.get("seed")}
        for report, name in zip(reports, names, strict=True)
    ]
    implementations = []
    for index, entry in enumerate(first["implementations"]):
        by_clause: dict[str, list[Mapping[str, Any]]] = {}
        for report in reports:
            for row in report["implementations"][index]["clauses"]:
                by_clause.setdefault(row["id"], []).append(row)
        rows = [merge_rows(by_clause[clause.id]) for clause in clauses.CLAUSES
                if clause.id in by_clause]
        implementations.append({**{k: v for k, v in entry.items() if k != "clauses"},
                                "clauses": rows})
    merged["implementations"] = implementations
    fuzzed = [report["fuzz"] for report in reports if isinstance(report.get("fuzz"), dict)]
    if fuzzed:
        merged["fuzz"] = _merge_fuzz(fuzzed)
    return merged


def _merge_fuzz(sections: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for key in ("properties", "examples", "cases", "failures", "replayed"):
        totals[key] = sum(int(section.get(key) or 0) for section in sections)
    for key in ("budget_seconds", "elapsed_seconds"):
        values = [float(section[key]) for section in sections if section.get(key) is not None]
        if values:
            totals[key] = max(values)  # shards run side by side
    databases = sorted({str(section["database"]) for section in sections
                        if section.get("database")})
    if databases:
        totals["databases"] = databases
    lost = [str(section["database_lost"]) for section in sections if section.get("database_lost")]
    if lost:
        totals["database_lost"] = lost
    return totals


def junit_xml(report: Mapping[str, Any]) -> bytes:
    """The report as JUnit XML: a test case per implementation and clause.

    A clause that keeps the implementation from conforming (:func:`decide`)
    is a failure, a failing SHOULD/MAY clause too; not-applicable, not-run and
    expected-fail clauses are skipped cases with their reason."""
    suite = ElementTree.Element("testsuite", name="create-parameter-conformance")
    tally = {"tests": 0, "failures": 0, "skipped": 0}
    for entry in report["implementations"]:
        deciding = {item.split(" ", 1)[0] for item in decide(entry).deciding}
        for row in entry["clauses"]:
            tally["tests"] += 1
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"cpconf.{entry['id']}",
                name=f"{row['id']} {row['title']} ({row['level']})",
            )
            if row["status"] == "fail" or row["id"] in deciding:
                tally["failures"] += 1
                failure = ElementTree.SubElement(
                    case, "failure", message=str(row.get("message") or row["status"]))
                failure.text = "\n".join(str(row[key]) for key in ("example", "reproduce")
                                         if row.get(key))
            elif row["status"] not in ("pass", "unexpected-pass"):
                tally["skipped"] += 1
                ElementTree.SubElement(case, "skipped", message=str(
                    row.get("reason") or row.get("expected_reason") or row["status"]))
    for key, value in tally.items():
        suite.set(key, str(value))
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    return ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True)
