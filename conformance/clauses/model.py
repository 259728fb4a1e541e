"""The shape of one contract clause."""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("MUST", "SHOULD", "MAY", "INFO")
"""MUST clauses decide conformance; SHOULD and MAY are reported but never fail a
run; INFO rows record implementation-defined behaviour."""

FAMILIES = {
    "A": "API surface",
    "P": "Placeholder (`new_parameter_placeholder`)",
    "C": "Create (`tracable_create_parameter`)",
    "G": "Gradient",
    "S": "Switch (`do_not_convert_to_tracable_parameter` / `can_convert_to_tracable_parameter`)",
    "E": "End to end (the implementation inside `torch.compile`, called by Dynamo)",
}


@dataclass(frozen=True)
class Clause:
    """One numbered rule of the contract: ``id`` is stable once published."""

    id: str
    level: str
    title: str
    rule: str
    rationale: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"clause {self.id}: level {self.level!r} not in {LEVELS}")
        family = self.id.split("-", 1)[0]
        if family not in FAMILIES:
            raise ValueError(f"clause {self.id}: family {family!r} not in {sorted(FAMILIES)}")

    @property
    def family(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def decides_conformance(self) -> bool:
        return self.level == "MUST"
