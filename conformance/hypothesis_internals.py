"""The private Hypothesis names the suite relies on, in one place.

Hypothesis's public API has no hook for these jobs; each name is pinned by
``tests/test_hypothesis_internals.py`` (every private name the code uses is
listed here, and the tested Hypothesis has them all). Where the installed
Hypothesis lacks one, :func:`warn_missing` says so loudly, naming the feature
that is lost, instead of degrading silently.
"""

from __future__ import annotations

import importlib
import inspect
import warnings

import hypothesis

TESTED_HYPOTHESIS = "6.170.17"
"""The Hypothesis release these names were checked against (also in pyproject.toml)."""

MODULE_ATTRIBUTES = {
    "hypothesis.core.global_force_seed":
        "one seed for every xdist worker (--hypothesis-seed, cpconf run --seed), and none "
        "left forced after a cpconf session run in a process that goes on",
    "hypothesis.settings._current_profile":
        "knowing, and giving back, the profile that was loaded before the suite's",
    "hypothesis.internal.conjecture.engine.MAX_SHRINKING_SECONDS":
        "cpconf fuzz: shrinking bounded so the time budget holds",
    "hypothesis.internal.reflection.function_digest":
        "cpconf fuzz: example-database keys per implementation",
}
"""``module.attribute`` -> the feature it serves."""

TEST_ATTRIBUTES = {
    "_hypothesis_internal_use_reproduce_failure":
        "--cp-replay: a report's reproduce command replays exactly its example",
    "_hypothesis_internal_use_settings": "cpconf fuzz: runs resized to the time left",
    "_hypothesis_internal_use_seed": "cpconf fuzz: a new seed for every run",
    "_hypothesis_internal_database_key": "cpconf fuzz: the example database per implementation",
}
"""Attributes Hypothesis reads off a ``@given`` test -> the feature they serve."""


class HypothesisInternalsWarning(UserWarning):
    """The installed Hypothesis lacks a private name the suite uses."""


def _has_module_attribute(dotted: str) -> bool:
    module_name, _, attribute = dotted.rpartition(".")
    owner: object
    try:
        owner = importlib.import_module(module_name)
    except ImportError:
        parent, _, name = module_name.rpartition(".")
        try:
            owner = getattr(importlib.import_module(parent), name)
        except (ImportError, AttributeError):
            return False
    return hasattr(owner, attribute)


def missing() -> dict[str, str]:
    """{private name: feature lost} for every name the installed Hypothesis lacks."""
    import hypothesis.core  # the module that reads the test attributes

    source = inspect.getsource(hypothesis.core)
    lost = {name: feature for name, feature in MODULE_ATTRIBUTES.items()
            if not _has_module_attribute(name)}
    lost.update({name: feature for name, feature in TEST_ATTRIBUTES.items()
                 if name not in source})
    return lost


def warn_missing() -> list[str]:
    """Warn once per missing name; return the warning texts (for the run's header)."""
    texts = [f"Hypothesis {hypothesis.__version__} lacks {name}: {feature} does not work "
             f"(tested with Hypothesis {TESTED_HYPOTHESIS})"
             for name, feature in missing().items()]
    for text in texts:
        warnings.warn(text, HypothesisInternalsWarning, stacklevel=2)
    return texts
