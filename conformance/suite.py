"""One active conformance run: what is checked, how, and how to reproduce it."""

from __future__ import annotations

import functools
import platform
import random
import shlex
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.core
import pytest
import torch
from hypothesis import settings

import conformance
from conformance import expectations, hypothesis_internals, layers, profiles, replay
from conformance.deadline import DEFAULT_SECONDS
from conformance.global_state import GlobalState, ModuleState
from conformance.implementation import Implementation
from conformance.loader import ImplementationSpecError, load_all
from conformance.report.results import prepare_outputs
from strategies.devices import available_devices, parse_devices

SEED_WIRE_KEY = "cpconf_seed"


@dataclass
class Suite:
    """The implementations, devices, profile and seed of this pytest session."""

    config: pytest.Config
    implementations: list[Implementation]
    devices: tuple[str, ...]
    profile: str
    seed: int | None
    expected: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    layers: tuple[str, ...] = layers.ALL
    _previous_profile: str | None = None
    _previous_seed: Any = None
    _stopped: bool = field(default=False)
    _clean: dict[str, ModuleState] = field(default_factory=dict)
    _threads_before: frozenset[int | None] = frozenset()

    @classmethod
    def start(cls, config: pytest.Config, specs: list[str]) -> Suite:
        """Check the options, load the implementations ``specs`` names, select devices and
        profile, fix the seed; raise ``pytest.UsageError`` on bad input. The options are
        checked first, so a mistyped device costs no import of an implementation (and with it
        Dynamo); every usage error comes before a setting (traceback style, Hypothesis
        profile, seed) is changed, and the last, a ``--cp-report`` that cannot be written,
        before its folder is made."""
        deadline = config.getoption("cp_deadline") or DEFAULT_SECONDS
        expected: dict[str, dict[str, str]] = {}
        if config.getoption("cp_expect"):
            try:
                loaded = expectations.load(config.getoption("cp_expect"))
            except expectations.ExpectationsError as error:
                raise pytest.UsageError(str(error)) from None
            expected = expectations.by_spec(loaded, torch.__version__)
        devices_text = config.getoption("cp_devices")
        try:
            devices = parse_devices(devices_text) if devices_text else available_devices()
        except ValueError as error:
            raise pytest.UsageError(f"--cp-devices: {error}") from None
        try:
            selected_layers = layers.parse(config.getoption("cp_layers", None))
        except ValueError as error:
            raise pytest.UsageError(f"--cp-layers: {error}") from None
        threads_before = frozenset(thread.ident for thread in threading.enumerate())
        try:
            implementations = load_all(specs)
        except ImplementationSpecError as error:
            raise pytest.UsageError(str(error)) from None
        report = config.getoption("cp_report")
        if report and not hasattr(config, "workerinput"):  # the controller writes it
            problem = prepare_outputs({"--cp-report": Path(report)})
            if problem is not None:
                raise pytest.UsageError(problem)
        if config.option.tbstyle == "auto":
            # Long tracebacks print every frame's arguments, and printing a placeholder
            # (a shape without bytes) reads unallocated memory in torch: a segfault.
            config.option.tbstyle = "short"
        profiles.register(config.getoption("cp_db"), config.getoption("cp_db_expire_days"))
        previous_profile = getattr(settings, "_current_profile", None)
        chosen = profiles.choose(
            config.getoption("cp_profile"),
            config.getoption("hypothesis_profile", None) is not None,
            seeded=cls._given_seed(config) is not None,
        )
        if chosen is not None:
            settings.load_profile(profiles.profile_name(chosen))
        # The seeded variant of ci is still "ci" to the user: the seed is shown beside it.
        label = ("ci" if chosen == profiles.SEEDED else chosen) or (
            f"{previous_profile} (from --hypothesis-profile)")
        previous_seed = hypothesis.core.global_force_seed
        seed = cls._seed(config)
        if seed is not None:
            hypothesis.core.global_force_seed = seed  # type: ignore[assignment]
        return cls(
            config=config,
            implementations=[i.with_deadline(deadline) for i in implementations],
            devices=tuple(devices),
            profile=label,
            seed=seed,
            expected=expected,
            warnings=tuple(hypothesis_internals.warn_missing()),
            layers=selected_layers,
            _previous_profile=previous_profile,
            _previous_seed=previous_seed,
            _threads_before=threads_before,
        )

    @staticmethod
    def _given_seed(config: pytest.Config) -> int | None:
        """The seed the controller chose (xdist workers) or the user gave, else None."""
        worker_input = getattr(config, "workerinput", None)
        if worker_input is not None and worker_input.get(SEED_WIRE_KEY) is not None:
            return int(worker_input[SEED_WIRE_KEY])
        given = config.getoption("hypothesis_seed", None)
        return None if given is None else int(given)

    @classmethod
    def _seed(cls, config: pytest.Config) -> int | None:
        if settings.default is not None and settings.default.derandomize:
            return None
        given = cls._given_seed(config)
        return random.SystemRandom().randrange(2**32) if given is None else given

    def stray_threads(self) -> list[threading.Thread]:
        """Non-daemon threads started since the implementations were loaded that are still
        running (an implementation's): Python waits for them before the process exits."""
        return [thread for thread in threading.enumerate()
                if thread.is_alive() and not thread.daemon
                and thread.ident not in self._threads_before]

    def stop(self) -> None:
        """Give back the Hypothesis profile and seed this run replaced."""
        if self._stopped:
            return
        self._stopped = True
        if self._previous_profile is not None:
            settings.load_profile(self._previous_profile)
        hypothesis.core.global_force_seed = self._previous_seed

    @property
    def seed_text(self) -> str:
        return "derandomized" if self.seed is None else str(self.seed)

    def implementation_entries(self) -> list[dict[str, Any]]:
        return [
            {
                "id": implementation.id,
                "spec": implementation.spec,
                "origin": implementation.origin,
                "missing_api": list(implementation.missing),
            }
            for implementation in self.implementations
        ]

    def header_lines(self) -> list[str]:
        lines = [f"create-parameter-conformance {conformance.__version__}:"]
        lines += [
            f"  implementation {implementation.id}: {implementation.origin}"
            + (f" (missing: {', '.join(implementation.missing)})" if implementation.missing else "")
            for implementation in self.implementations
        ]
        lines.append(
            f"  torch {torch.__version__}, devices {','.join(self.devices)}, "
            f"profile {self.profile}, seed {self.seed_text}, layers {','.join(self.layers)}"
        )
        lines += [f"  WARNING: {text}" for text in self.warnings]
        return lines

    def meta(self) -> dict[str, Any]:
        return {
            "suite_version": conformance.__version__,
            "torch_version": torch.__version__,
            "python_version": platform.python_version(),
            "hypothesis_version": hypothesis.__version__,
            "profile": self.profile,
            "seed": self.seed_text,
            "devices": list(self.devices),
            "layers": list(self.layers),
        }

    def reproduce_command(self, target: str, implementation: Implementation,
                          blob: str | None) -> str:
        """A one-line shell command that reruns exactly this test, and this example.

        ``target`` is a pytest node ID whose file part is a module name when it can be
        imported by one (see :func:`pyargs_target`), so the command works from any
        directory."""
        module = "/" not in target.split("::", 1)[0] and not target.endswith(".py")
        spec = implementation.spec
        if implementation.origin.startswith("file "):
            spec = str(Path(spec).resolve())
        words = ["python", "-m", "pytest", "-p", "no:cacheprovider"]
        words += ["--pyargs", target] if module else [target]
        words += ["--cp-impl", spec, "--cp-devices", ",".join(self.devices)]
        if self.profile in profiles.NAMES:
            words += ["--cp-profile", self.profile]
        if self.seed is not None:
            words.append(f"--hypothesis-seed={self.seed}")
        if self.layers != layers.ALL:
            words += ["--cp-layers", ",".join(self.layers)]
        batch = int(self.config.getoption("cp_batch"))
        if batch != 1:  # the blob encodes a batch: replay it with the same size
            words += ["--cp-batch", str(batch)]
        if blob:
            words += ["--cp-replay", blob]
        return shlex.join(words)

    @contextmanager
    def replaying(self, item: pytest.Item) -> Iterator[None]:
        """Under ``--cp-replay VERSION:BLOB``, run exactly that Hypothesis example."""
        given = self.config.getoption("cp_replay")
        function = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        if not given or not getattr(function, "is_hypothesis_test", False):
            yield
            return
        version, blob = replay.split(given)
        previous = function._hypothesis_internal_use_reproduce_failure  # type: ignore[union-attr]
        function._hypothesis_internal_use_reproduce_failure = (version, blob)  # type: ignore[union-attr]
        try:
            yield
        finally:
            function._hypothesis_internal_use_reproduce_failure = previous  # type: ignore[union-attr]

    @contextmanager
    def guard_global_state(self, item: pytest.Item) -> Iterator[None]:
        """Start a property from the implementation's clean state (as the session found
        it); afterwards restore torch's and the implementation's state, and fail the
        property that changed it (see :mod:`conformance.global_state`)."""
        implementation = implementation_of(item, self)
        clean = self.clean_state(implementation)
        clean.restore()
        before = GlobalState.capture(implementation)
        try:
            with _per_example(item, clean.restore):
                yield
        except BaseException:
            before.restore()
            clean.restore()
            raise
        leaked = before.differences(GlobalState.capture(implementation))
        before.restore()
        clean.restore()
        if leaked:
            raise leaked[0]

    def clean_state(self, implementation: Implementation) -> ModuleState:
        """The implementation's module state as this process first saw it, before any
        property ran (captured on first use)."""
        clean = self._clean.get(implementation.id)
        if clean is None:
            clean = self._clean[implementation.id] = ModuleState.capture(implementation)
        return clean


def pyargs_target(item: pytest.Item) -> str:
    """``pkg.module::test[id]`` for a test in an importable module, else its node ID."""
    module = getattr(getattr(item, "module", None), "__name__", None)
    if not module:
        return item.nodeid
    return "::".join([module, *item.nodeid.split("::")[1:]])


def implementation_of(item: pytest.Item, suite: Suite) -> Implementation:
    callspec = getattr(item, "callspec", None)
    param = callspec.params.get("cp_impl") if callspec is not None else None
    return param if isinstance(param, Implementation) else suite.implementations[0]


@contextmanager
def _per_example(item: pytest.Item, reset: Callable[[], None]) -> Iterator[None]:
    """Run ``reset`` before every Hypothesis example of ``item`` (through the documented
    ``.hypothesis.inner_test`` hook), so state one example leaves cannot make the next
    one behave differently (Hypothesis would call that flaky, and blame every clause)."""
    handle = getattr(getattr(item, "obj", None), "hypothesis", None)
    if handle is None:
        yield
        return
    inner = handle.inner_test

    @functools.wraps(inner)
    def from_clean_state(*args: Any, **kwargs: Any) -> Any:
        reset()
        return inner(*args, **kwargs)

    handle.inner_test = from_clean_state
    try:
        yield
    finally:
        handle.inner_test = inner
