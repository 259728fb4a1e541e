"""The private Hypothesis names the suite uses are pinned, and a missing one is loud."""

from __future__ import annotations

import re
from pathlib import Path

import hypothesis
import pytest
from hypothesis.internal.conjecture import engine

from conformance import hypothesis_internals

ROOT = Path(__file__).resolve().parent.parent
PRIVATE_USE = re.compile(
    r"_hypothesis_internal_\w+|global_force_seed|_current_profile|MAX_SHRINKING_SECONDS"
    r"|function_digest"
)


def test_the_installed_hypothesis_has_every_private_name() -> None:
    assert hypothesis_internals.missing() == {}, hypothesis.__version__


def test_every_private_name_the_code_uses_is_declared() -> None:
    declared = {name.rsplit(".", 1)[-1] for name in hypothesis_internals.MODULE_ATTRIBUTES}
    declared |= set(hypothesis_internals.TEST_ATTRIBUTES)
    used = set()
    for package in ("conformance", "strategies", "reference_impl"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "hypothesis_internals.py":
                used |= set(PRIVATE_USE.findall(path.read_text()))
    assert used, "the scan found nothing: the pattern or the paths are wrong"
    assert used <= declared, f"undeclared private Hypothesis names: {sorted(used - declared)}"


def test_a_missing_name_warns_naming_the_feature_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(engine, "MAX_SHRINKING_SECONDS")
    with pytest.warns(hypothesis_internals.HypothesisInternalsWarning,
                      match="MAX_SHRINKING_SECONDS: cpconf fuzz: shrinking bounded"):
        texts = hypothesis_internals.warn_missing()
    assert len(texts) == 1
