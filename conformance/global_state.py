"""The global state a property must leave as it found it.

Grad mode and the default dtype are restored after every property; the
implementation's switch cannot be reset from outside, so a leak is reported
against the clause that forbids it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import torch

from conformance.implementation import Implementation
from conformance.violation import ClauseViolation


@dataclass(frozen=True)
class GlobalState:
    grad_enabled: bool
    inference_mode: bool
    default_dtype: torch.dtype
    switch: bool | None

    @classmethod
    def capture(cls, implementation: Implementation | None) -> GlobalState:
        switch = None
        if implementation is not None and implementation.has("can_convert_to_tracable_parameter"):
            if threading.current_thread() is threading.main_thread():
                switch = bool(implementation.raw("can_convert_to_tracable_parameter")())
        return cls(
            grad_enabled=torch.is_grad_enabled(),
            inference_mode=torch.is_inference_mode_enabled(),
            default_dtype=torch.get_default_dtype(),
            switch=switch,
        )

    def restore(self) -> None:
        torch.set_grad_enabled(self.grad_enabled)
        torch.set_default_dtype(self.default_dtype)

    def differences(self, after: GlobalState) -> list[BaseException]:
        leaks: list[BaseException] = []
        if after.grad_enabled != self.grad_enabled:
            leaks.append(ClauseViolation(
                "C-5", f"grad mode {self.grad_enabled} after the test",
                f"grad mode {after.grad_enabled} (restored by the suite)",
            ))
        if after.switch != self.switch:
            leaks.append(ClauseViolation(
                "S-3", f"the switch to read {self.switch} after the test",
                f"{after.switch}: a context left this thread's switch changed",
            ))
        if after.inference_mode != self.inference_mode or after.default_dtype != self.default_dtype:
            leaks.append(RuntimeError(
                f"the test left torch's global state changed: inference mode "
                f"{self.inference_mode} -> {after.inference_mode}, default dtype "
                f"{self.default_dtype} -> {after.default_dtype}"
            ))
        return leaks
