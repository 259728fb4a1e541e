"""G-clauses: how gradients flow through the created parameter."""

from conformance.clauses.model import Clause

CLAUSES = (
    Clause(
        "G-1", "MUST", "gradient identity",
        "Backward through the output gives the placeholder the upstream gradient bit for bit "
        "(NaN payloads and signed zeros included).",
        "The placeholder behaves as a graph input: its gradient is exactly what flows into it.",
    ),
    Clause(
        "G-2", "MUST", "nothing reaches the source",
        "No gradient reaches the source: a source that requires grad is either rejected before "
        "anything changes, or detached (torch <= 2.10 rejects, >= 2.11 detaches; both conform).",
        "The source is data, not a parameter; gradient into it would train the wrong tensor.",
    ),
    Clause(
        "G-3", "MUST", "gradients accumulate",
        "Two backward passes leave the placeholder's `.grad` equal to the sum of both upstream "
        "gradients.",
        "Gradient accumulation over micro-batches relies on ordinary leaf semantics.",
    ),
    Clause(
        "G-4", "MUST", "routes to the placeholder's AccumulateGrad",
        "When the placeholder requires grad, the output's `grad_fn` leads to the placeholder's "
        "`AccumulateGrad` node and, for a source that does not require grad, to no node of the "
        "source; otherwise the output has no `grad_fn`. For a source that requires grad an edge "
        "to its node may remain, as in torch >= 2.11; G-2 forbids gradient along it.",
        "Optimizers and hooks find parameters through the autograd graph.",
    ),
)
