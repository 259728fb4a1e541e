"""The suite's Hypothesis profiles: ``dev``, ``ci`` and ``nightly``.

They are registered under prefixed names (``cpconf-ci`` ...) so an unrelated
project's own ``ci`` profile is never replaced. Which one a run uses:

1. ``--cp-profile NAME`` when given;
2. otherwise, when ``--hypothesis-profile`` was given, that profile as it is;
3. otherwise ``ci``, whatever the ``CI`` variable says: derandomized, no
   database, so the same implementation gets the same report on every run.

``ci`` with an explicit seed (``--hypothesis-seed N``, ``cpconf run --seed N``)
becomes :data:`SEEDED`: the same budget, random exploration from that seed.
``dev`` (random, smaller budget) and ``nightly`` (random, large budget, example
database) are opt-in.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from conformance.database import DEFAULT_EXPIRE_DAYS, open_database

NAMES = ("dev", "ci", "nightly")
DEFAULT = "ci"
SEEDED = "ci-seeded"
"""``ci``'s budget without derandomization: what an explicit seed turns ``ci`` into."""
PREFIX = "cpconf-"

_SLOW_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large]


def profile_name(name: str) -> str:
    return f"{PREFIX}{name}"


def register(nightly_database: str | None = None,
             expire_days: float = DEFAULT_EXPIRE_DAYS) -> None:
    """(Re-)register the three profiles. Cheap and idempotent.

    ``nightly_database`` is a directory or a Redis URL (:mod:`conformance.database`);
    nothing is contacted here.
    """
    def with_common(parent: settings) -> settings:
        # No explain phase: it re-runs each failure under a line tracer (slow with torch),
        # and our failure messages already name the clause and what differed.
        phases = [phase for phase in parent.phases if phase is not Phase.explain]
        return settings(parent, deadline=None, print_blob=True, phases=phases,
                        suppress_health_check=_SLOW_CHECKS)

    settings.register_profile(
        profile_name("dev"), with_common(settings.get_profile("default")), max_examples=60
    )
    ci = settings(
        with_common(settings.get_profile("ci")),
        max_examples=100,
        derandomize=True,
        database=None,
    )
    settings.register_profile(profile_name("ci"), ci)
    settings.register_profile(profile_name(SEEDED), ci, derandomize=False)
    database = open_database(nightly_database or ".hypothesis/cpconf-nightly", expire_days)
    settings.register_profile(
        profile_name("nightly"),
        with_common(settings.get_profile("default")),
        max_examples=5_000,
        database=database,
    )


def choose(explicit: str | None, hypothesis_profile_given: bool, seeded: bool) -> str | None:
    """The short profile name to load, or None to keep the loaded Hypothesis profile."""
    chosen = explicit or (None if hypothesis_profile_given else DEFAULT)
    if chosen == "ci" and seeded:
        return SEEDED
    return chosen
