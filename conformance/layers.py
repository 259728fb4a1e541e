"""Test layers: which clause families a run checks (``--cp-layers``, ``cpconf ... --layers``).

``unit`` calls the implementation's names directly (families A, P, C, G, S);
``e2e`` runs it inside ``torch.compile`` as Dynamo calls it (family E). Both
run by default. Clauses of a deselected layer are reported ``not-applicable``
with :func:`reason`, and their tests are deselected.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance import clauses

LAYERS: dict[str, tuple[str, ...]] = {
    "unit": ("A", "P", "C", "G", "S"),
    "e2e": ("E",),
}
ALL = tuple(LAYERS)
NOT_SELECTED = "layer not selected"


def parse(text: str | None) -> tuple[str, ...]:
    """``"unit,e2e"`` -> ("unit", "e2e") in canonical order; None or "" -> every layer.

    Raises ``ValueError`` naming the known layers for an unknown one.
    """
    if not text or not text.strip():
        return ALL
    wanted = [word.strip() for word in text.split(",") if word.strip()]
    unknown = [word for word in wanted if word not in LAYERS]
    if unknown:
        raise ValueError(f"unknown layer(s) {', '.join(unknown)}; known: {', '.join(ALL)}")
    return tuple(layer for layer in ALL if layer in wanted)


def layer_of(clause_id: str) -> str:
    family = clauses.get(clause_id).family
    return next(name for name, families in LAYERS.items() if family in families)


def deselected_clauses(selected: Iterable[str]) -> list[str]:
    """The clause IDs outside the ``selected`` layers."""
    keep = set(selected)
    return [clause.id for clause in clauses.CLAUSES if layer_of(clause.id) not in keep]


def reason(selected: Iterable[str]) -> str:
    return f"{NOT_SELECTED} (this run covers: {', '.join(selected)})"
