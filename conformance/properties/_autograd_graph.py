"""Walks of the autograd graph behind a tensor: which nodes it holds and which leaves it
accumulates into (C-7: nothing reaches the source; G-4: the gradient routes to the
placeholder's AccumulateGrad). Nothing here checks a clause by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch


def graph_nodes(root: Any) -> list[Any]:
    """Every autograd node reachable from ``root`` (a grad_fn or None), each once."""
    seen: dict[int, Any] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        pending.extend(parent for parent, _ in node.next_functions)
    return list(seen.values())


def accumulated_variables(nodes: Sequence[Any]) -> list[torch.Tensor]:
    """The leaves whose AccumulateGrad nodes are among ``nodes``."""
    found = []
    for node in nodes:
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            found.append(variable)
    return found
