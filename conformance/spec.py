"""Render SPEC.md from the clause registry: ``python -m conformance.spec > SPEC.md``.

A self-test compares the committed SPEC.md with :func:`render`, so the
contract and the registry cannot drift.
"""

from __future__ import annotations

from conformance import clauses

INTRO = """\
# The contract of `torch._dynamo.create_parameter_op`

Generated from `conformance/clauses/` by `python -m conformance.spec > SPEC.md`;
do not edit by hand.

Levels: **MUST** clauses decide conformance (`cpconf run` exits 1 when one fails or is missing);
**SHOULD** and **MAY** clauses are reported but never fail a run; **INFO** rows record
implementation-defined behaviour. Clause IDs are stable: a clause may be reworded, never renumbered.
"""


def render() -> str:
    parts = [INTRO]
    for family, heading in clauses.FAMILIES.items():
        members = [clause for clause in clauses.CLAUSES if clause.family == family]
        if not members:
            continue
        parts.append(f"\n## {family}: {heading}\n")
        for clause in members:
            parts.append(
                f"\n### {clause.id} ({clause.level}): {clause.title}\n\n"
                f"{clause.rule}\n\n*Why:* {clause.rationale}\n"
            )
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
