"""What the E-mutants look at to behave differently inside ``torch.compile`` (not a mutant).

Under ``torch.compile`` the take-over runs on fake tensors: first Dynamo's own
fake run (plain ``FakeTensor``), then AOTAutograd's trace (``FunctionalTensor``
over fake ones). Unit clauses never see either, so a bug on these paths passes
every unit clause.
"""

from __future__ import annotations

import torch
from torch._subclasses.fake_tensor import FakeTensor, is_fake


def on_fake(tensor: torch.Tensor) -> bool:
    """True inside compilation: ``tensor`` has no real data."""
    return bool(is_fake(tensor))


def in_dynamo_fake_run(tensor: torch.Tensor) -> bool:
    """True only during Dynamo's own fake run of the graph node (not AOTAutograd's trace)."""
    return isinstance(tensor, FakeTensor)
