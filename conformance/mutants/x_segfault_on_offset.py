"""Breaks C-2 by crashing the process: a source with a storage offset segfaults.

A native helper that "validates" the offset dereferences a bad pointer
(modelled by the signal itself): the process dies with SIGSEGV and no Python
exception. The suite must fail the clauses of
the test that was running, name the call that crashed, and finish the run
(``cpconf`` runs properties in an xdist worker, which is replaced).
"""

from __future__ import annotations

import os
import signal

import torch

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    do_not_convert_to_tracable_parameter,
    new_parameter_placeholder,
)

BREAKS = "C-2"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


def tracable_create_parameter(
    tensor: torch.Tensor, placeholder: torch.nn.Parameter
) -> torch.Tensor:
    """The reference take-over, after a raw read that crashes for offset sources (C-2)."""
    if tensor.storage_offset() > 0:
        os.kill(os.getpid(), signal.SIGSEGV)
    return _reference.tracable_create_parameter(tensor, placeholder)
