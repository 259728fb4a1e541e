"""Grad-mode contexts to run calls under (C-4, C-5, P-8).

A :class:`GradMode` is a ``>``-separated chain of primitive modes, entered outermost
first: ``"no_grad>enable_grad"`` means ``with torch.no_grad(): with torch.enable_grad():``.
``"enabled"`` is the empty chain (the ambient default). Expected values assume the chain
is entered from torch's default state (grad enabled, inference mode off).

Inference mode: observed behaviour on torch 2.13 (CPU)
------------------------------------------------------
Both ``reference_impl`` and ``torch._dynamo.create_parameter_op`` behave identically:

(a) Placeholder made outside, ``tracable_create_parameter`` called inside
    ``torch.inference_mode()``: no error; the output aliases the source, requires grad
    exactly when the placeholder does, has a ``TracableCreateParameterBackward`` grad_fn
    and is not an inference tensor; grad mode and inference mode are unchanged after the
    call. A backward pass run after leaving inference mode gives the placeholder the
    upstream gradient bit for bit (``-0.0`` and NaN kept) and the source none. (Inside
    inference mode, new ops on the output record no graph, as for any tensor there.)
(b) Placeholder made inside inference mode: it is an inference tensor (still
    ``requires_grad`` as asked, 0 bytes). Taking over a source *outside* inference mode
    raises ``RuntimeError`` ("Inplace update to inference tensor outside InferenceMode")
    -- but only after ``set_`` has already rebound the placeholder onto the source's
    storage and strides, so the failed call leaves the placeholder changed. Grad mode is
    restored. Creating and taking over both inside inference mode works: the output is an
    inference tensor with a grad_fn, and backward outside reaches the placeholder.
(c) Source is an inference tensor made in inference mode, call made outside: no error;
    the output requires grad as the placeholder does, backward reaches the placeholder
    only; the placeholder is a normal tensor sharing the inference tensor's storage and
    can be updated in place under ``no_grad`` (the source itself still cannot be).

Clause proposal
---------------
**C-7 (MUST) -- inference mode at the call site.** A placeholder created outside inference
mode takes over a source inside ``torch.inference_mode()``, or takes over an inference
tensor outside it, without raising; the output requires grad exactly when the
placeholder does, and a backward pass outside inference mode delivers the upstream
gradient to the placeholder and none to the source. *Rationale:* serving code runs under
inference mode and loads weights as inference tensors (pytorch#161191); C-4's "whatever
the ambient grad mode" must hold for the strongest grad-disabling mode too.

Companion (INFO, e.g. C-8): a placeholder that is itself an inference tensor cannot be
taken over outside inference mode; torch raises ``RuntimeError`` after rebinding the
placeholder, so C-6's "unchanged on failure" is not promised for this case.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import torch
from hypothesis import strategies as st

from strategies.reuse import reused

__all__ = ["COMMON_GRAD_MODES", "PRIMITIVE_MODES", "GradMode", "grad_modes"]

PRIMITIVE_MODES: dict[str, Callable[[], contextlib.AbstractContextManager[object]]] = {
    "no_grad": torch.no_grad,
    "enable_grad": torch.enable_grad,
    "set_grad_enabled(False)": lambda: torch.set_grad_enabled(False),
    "set_grad_enabled(True)": lambda: torch.set_grad_enabled(True),
    "inference_mode": torch.inference_mode,
    "inference_mode(False)": lambda: torch.inference_mode(False),
}
"""Primitive mode name -> factory of a fresh context manager."""

# Effect of each primitive on (grad enabled, inference mode); None keeps the current value.
_EFFECTS: dict[str, tuple[bool, bool | None]] = {
    "no_grad": (False, None),
    "enable_grad": (True, None),
    "set_grad_enabled(False)": (False, None),
    "set_grad_enabled(True)": (True, None),
    "inference_mode": (False, True),
    "inference_mode(False)": (True, False),
}

ENABLED = "enabled"


class _Chain(contextlib.ExitStack):
    """An ExitStack that enters its grad-mode steps on ``__enter__`` (not before)."""

    def __init__(self, steps: tuple[str, ...]) -> None:
        super().__init__()
        self._steps = steps

    def __enter__(self) -> _Chain:
        super().__enter__()
        try:
            for step in self._steps:
                self.enter_context(PRIMITIVE_MODES[step]())
        except BaseException:
            self.close()
            raise
        return self


@dataclass(frozen=True)
class GradMode:
    """A chain of grad-mode contexts, named like ``"no_grad>enable_grad"`` or ``"enabled"``."""

    name: str

    def __post_init__(self) -> None:
        unknown = [step for step in self.steps if step not in PRIMITIVE_MODES]
        if unknown:
            raise ValueError(
                f"unknown grad mode {unknown[0]!r} in {self.name!r}; known: "
                f"{ENABLED}, {', '.join(PRIMITIVE_MODES)}"
            )

    @property
    def steps(self) -> tuple[str, ...]:
        """The primitive modes, outermost first (empty for ``"enabled"``)."""
        return () if self.name == ENABLED else tuple(self.name.split(">"))

    def enter(self) -> contextlib.ExitStack:
        """A fresh context manager: entering it enters every step in order, leaving it
        leaves them in reverse (also on an exception)."""
        return _Chain(self.steps)

    def _final_state(self) -> tuple[bool, bool]:
        grad, inference = True, False
        for step in self.steps:
            grad, new_inference = _EFFECTS[step]
            inference = inference if new_inference is None else new_inference
        return grad, inference

    @property
    def expected_grad_enabled(self) -> bool:
        """``torch.is_grad_enabled()`` inside, when entered from the default state."""
        return self._final_state()[0]

    @property
    def expected_inference_mode(self) -> bool:
        """``torch.is_inference_mode_enabled()`` inside, when entered from the default state."""
        return self._final_state()[1]

    @property
    def uses_inference_mode(self) -> bool:
        """Whether any step enters inference mode (tensors made inside are inference tensors)."""
        return "inference_mode" in self.steps

    def __repr__(self) -> str:
        return f"GradMode({self.name!r})"


COMMON_GRAD_MODES: tuple[GradMode, ...] = tuple(
    GradMode(name)
    for name in (
        ENABLED,
        "no_grad",
        "inference_mode",
        "set_grad_enabled(False)",
        "enable_grad",
        "no_grad>enable_grad",
        "enable_grad>no_grad",
        "inference_mode>enable_grad",
        "no_grad>inference_mode(False)",
        "set_grad_enabled(False)>set_grad_enabled(True)",
    )
)
"""Hand-picked modes, the simplest first: a strategy draws these about half the time."""


@reused
def grad_modes(
    *, max_depth: int = 3, include_inference: bool = True
) -> st.SearchStrategy[GradMode]:
    """Draw a :class:`GradMode`: a common one or a random chain of up to ``max_depth`` steps.

    Shrinks to ``"enabled"``. ``include_inference=False`` leaves out every chain that
    enters ``inference_mode`` (properties that make tensors inside the context need this;
    see the module docstring for why).
    """
    primitives = [name for name in PRIMITIVE_MODES if include_inference or name != "inference_mode"]
    common = [
        mode for mode in COMMON_GRAD_MODES if include_inference or not mode.uses_inference_mode
    ]
    chains = st.lists(st.sampled_from(primitives), max_size=max_depth).map(
        lambda steps: GradMode(">".join(steps) if steps else ENABLED)
    )
    return st.sampled_from(common) | chains
