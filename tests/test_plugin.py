"""The pytest plugin through pytester: runs in this process (the plugin restores what it
changes), a fresh process where torch must be absent, pytest's own parsed configuration for
which implementations a session was given."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import hypothesis
import pytest
from hypothesis import settings

from conformance import clauses
from conformance.plugin import explicit_specs
from tests.conftest import load_report

API_TESTS = "conformance.properties.test_api"
E2E_TESTS = "conformance.properties.test_end_to_end"
G1_PROPERTY = "conformance.properties.test_gradient::test_gradient_identity"
E_CLAUSES = [clause.id for clause in clauses.CLAUSES if clause.family == "E"]


def _ids_run(output: str) -> set[str]:
    return set(re.findall(r"test_\w+\[([^\]]+)\] PASSED", output))


def test_matrix_runs_every_property_once_per_implementation_in_the_layers_asked_for(
    pytester: pytest.Pytester, run_in_process: Callable[..., pytest.RunResult],
) -> None:
    """Two implementations, the API properties and the end-to-end ones with only the unit
    layer asked for: every API property runs once per implementation; every E property is
    deselected for each, and the report says why."""
    report = pytester.path / "report.json"
    result = run_in_process(
        "--pyargs", API_TESTS, E2E_TESTS, "-v", "--cp-impl", "reference", "--cp-impl", "torch",
        "--cp-layers", "unit", "--cp-report", str(report),
    )
    result.assert_outcomes(passed=12, deselected=2 * len(E_CLAUSES))
    assert _ids_run(result.stdout.str()) == {"reference", "torch"}
    result.stdout.fnmatch_lines(["*implementation reference: reference_impl from *",
                                 "*implementation torch: torch._dynamo.create_parameter_op*",
                                 "*layers unit*"])
    data = load_report(report)
    assert data["layers"] == ["unit"]
    for entry in data["implementations"]:
        rows = {row["id"]: row for row in entry["clauses"]}
        for clause_id in E_CLAUSES:
            assert rows[clause_id]["status"] == "not-applicable", (entry["id"], clause_id)
            assert rows[clause_id]["reason"].startswith("layer not selected")


@pytest.mark.parametrize(
    ("cli", "env", "ini", "expected"),
    [
        (["--cp-impl", "torch"], "reference", "reference", ["torch"]),
        ([], "torch,reference", "reference", ["torch", "reference"]),
        ([], None, "torch", ["torch"]),
        ([], None, None, []),
    ],
    ids=["option-beats-env", "env-beats-ini", "ini-beats-default", "none-given"],
)
def test_implementation_precedence(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
    cli: list[str], env: str | None, ini: str | None, expected: list[str],
) -> None:
    """Which SPECs a session was given, read from pytest's real parsed configuration (the
    plugin loaded through its entry point). None given means the reference runs:
    ``test_ci_profile_is_kept`` sees it run."""
    if env is None:
        monkeypatch.delenv("CP_IMPL", raising=False)
    else:
        monkeypatch.setenv("CP_IMPL", env)
    if ini is not None:
        pytester.makeini(f"[pytest]\ncp_impl = {ini}\n")
    config = pytester.parseconfig(*cli)
    assert explicit_specs(config) == expected


def test_unknown_implementation_is_a_usage_error(
    run_in_process: Callable[..., pytest.RunResult],
) -> None:
    result = run_in_process("--pyargs", API_TESTS, "--cp-impl", "no_such.module")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*cannot load implementation 'no_such.module'*No module named 'no_such'*",
        "*known implementation names: reference, torch*",
    ])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_unknown_device_is_a_usage_error(run_in_process: Callable[..., pytest.RunResult]) -> None:
    """Checked before any implementation is loaded: an unloadable one is not reached."""
    result = run_in_process("--pyargs", API_TESTS, "--cp-devices", "tpu",
                            "--cp-impl", "no_such.module")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--cp-devices*tpu*available: cpu*"])
    assert "no_such.module" not in result.stderr.str()


@pytest.mark.parametrize(("option", "message"), [
    ("--cp-deadline=-1", "--cp-deadline must be positive, not -1"),
    ("--cp-examples=0", "--cp-examples must be positive, not 0"),
    ("--cp-batch=0", "--cp-batch must be positive, not 0"),
    ("--cp-report=.", "--cp-report: . is a folder; give the path of a file"),
    ("--cp-report=a_file/report.json", "--cp-report: cannot make the folder a_file"),
])
def test_a_number_or_report_path_the_run_cannot_use_is_a_usage_error(
    pytester: pytest.Pytester, run_in_process: Callable[..., pytest.RunResult],
    option: str, message: str,
) -> None:
    """Refused before any test runs, not (for the report) with a traceback once they have."""
    (pytester.path / "a_file").write_text("")
    result = run_in_process("--pyargs", API_TESTS, "--cp-impl", "reference", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


@pytest.mark.parametrize(("value", "message"), [
    ("garbage", "expected VERSION:BLOB"),
    ("6.1.0:AAAA", f"written by Hypothesis 6.1.0, and this is {hypothesis.__version__}"),
    (f"{hypothesis.__version__}:not base64!", "is not a Hypothesis blob"),
])
def test_a_replay_this_hypothesis_cannot_run_is_a_usage_error(
    run_in_process: Callable[..., pytest.RunResult], value: str, message: str,
) -> None:
    result = run_in_process("--pyargs", G1_PROPERTY, "--cp-impl", "reference",
                            "--cp-replay", value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_replay_that_replays_no_failure_leaves_its_clause_not_run(
    pytester: pytest.Pytester, run_in_process: Callable[..., pytest.RunResult],
) -> None:
    """A blob of another test (or of a failure this implementation does not have) is no
    verdict on the clause: not run, with Hypothesis's reason, never a failure."""
    report = pytester.path / "r.json"
    run_in_process("--pyargs", G1_PROPERTY, "--cp-impl", "reference",
                   "--cp-replay", f"{hypothesis.__version__}:AAAA", "--cp-report", str(report))
    row = next(row for row in load_report(report)["implementations"][0]["clauses"]
               if row["id"] == "G-1")
    assert row["status"] == "not-run", row
    assert row["reason"].startswith("--cp-replay did not replay a failure: ")


def test_property_naming_an_unknown_clause_is_rejected(
    pytester: pytest.Pytester, run_in_process: Callable[..., pytest.RunResult],
) -> None:
    pytester.makepyfile(test_mine="""
        import pytest

        @pytest.mark.clause("Z-9")
        def test_nothing(cp_impl):
            assert cp_impl
    """)
    result = run_in_process("--cp-impl", "reference")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_nothing* names unknown clause 'Z-9'*"])


@pytest.mark.process
def test_unrelated_project_run_is_unchanged(pytester: pytest.Pytester,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CP_IMPL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(test_unrelated="""
        import sys
        from hypothesis import settings

        def test_profile_and_imports_untouched(request):
            assert settings._current_profile == "default"
            assert "cp_impl" not in request.fixturenames
            assert "torch" not in sys.modules
            assert "reference_impl" not in sys.modules
    """)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    output = result.stdout.str()
    # pytest itself lists installed plugins; nothing beyond that line may come from us.
    assert "create-parameter-conformance:" not in output
    assert "clause" not in output


def test_ci_profile_is_kept(run_in_process: Callable[..., pytest.RunResult],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI set, the suite's own derandomized ``ci`` profile, not Hypothesis's. An
    explicit ``--hypothesis-profile`` is kept as it is: the copied-torch run of
    ``test_end_to_end.py`` passes its own profile and checks the header and report name it."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("CP_IMPL", raising=False)
    ours = settings.default
    ci = run_in_process("--pyargs", API_TESTS, "-v")
    ci.stdout.fnmatch_lines(["*profile ci, seed derandomized*"])
    assert _ids_run(ci.stdout.str()) == {"reference"}  # no implementation given: the reference
    assert settings.default is ours  # the run's profile was this process's only while it ran


LEAVES_A_THREAD = """
import os
import threading
import time


def _until_released():
    while not os.path.exists(os.environ["CPCONF_TEST_RELEASE"]):
        time.sleep(0.05)


def test_leaves_a_thread(cp_impl):
    threading.Thread(target=_until_released, name="left-running").start()
"""


def test_a_thread_left_running_is_named_at_the_end(
    pytester: pytest.Pytester, run_in_process: Callable[..., pytest.RunResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python waits for a non-daemon thread before the process exits: the summary says which
    one keeps it (``cpconf`` ends its own process after a grace period instead)."""
    release = pytester.path / "release"
    monkeypatch.setenv("CPCONF_TEST_RELEASE", str(release))
    pytester.makepyfile(test_leaves=LEAVES_A_THREAD)
    try:
        result = run_in_process("--cp-impl", "reference")
    finally:
        release.touch()
        for thread in threading.enumerate():
            if thread.name == "left-running":
                thread.join(10)
    assert result.outlines[-2].startswith(
        "create-parameter-conformance: WARNING: 1 non-daemon thread(s) started during this run "
        "still running ('left-running')"), result.outlines[-3:]
