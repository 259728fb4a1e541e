"""The comparison with :mod:`reference_impl`, the oracle where the contract fixes a result.

C-2, C-3, C-4, C-7, G-3, G-4 and P-8 also compare the implementation with the reference on
the same case; the ``check_*`` functions here fail whichever clause their caller names, and
:func:`is_reference` lets a property skip comparing the reference with itself.
"""

from __future__ import annotations

import torch

import reference_impl
from conformance.implementation import Implementation
from conformance.violation import check
from strategies.bitwise import first_bitwise_difference


def is_reference(impl: Implementation) -> bool:
    """True when ``impl`` is the reference itself (comparing it with itself proves nothing)."""
    return impl.namespace is reference_impl


REFERENCE = reference_impl


def check_same_as_reference(clause: str, what: str, got: object, reference: object) -> None:
    """Fail ``clause`` when the implementation's ``got`` differs from the reference's."""
    check(
        got == reference, clause, f"{what} as the reference implementation: {reference}",
        lambda: f"{got} (reference: {reference})",
    )


def check_same_bits_as_reference(
    clause: str, what: str, got: torch.Tensor, reference: torch.Tensor
) -> None:
    """Fail ``clause`` when ``got`` differs from the reference's tensor in any bit."""
    difference = first_bitwise_difference(got, reference)
    check(
        difference is None, clause, f"{what} bit for bit as the reference implementation",
        lambda: f"implementation vs reference: {difference}",
    )
