"""Put an implementation where Dynamo looks for torch's own, for one block (E-clauses).

Dynamo imported the public names of ``torch._dynamo.create_parameter_op`` into
several of its own modules. :func:`swapped_in` finds every such copy by
scanning ``sys.modules`` for ``torch._dynamo`` modules holding torch's own
function objects (no fixed list: a torch release that moves them is still
covered), replaces each with the implementation's, turns
``graph_break_on_nn_param_ctor`` off (torch >= 2.9), and resets Dynamo so no
code compiled for another implementation is reused. Everything comes back on
every way out of the block (normal, exception, hang), and Dynamo is reset again.

Placement (E-7): compiled code re-finds the placeholder constructor at run time
by ``__module__`` and ``__name__``. Dynamo never traces files inside torch, so
torch's constructor stays opaque; one living anywhere else is compiled by Dynamo
itself when compiled code calls it. With ``opaque=True`` (the E-1 .. E-6
default) the constructor is swapped in wrapped by ``torch.compiler.disable``
and published under this module, so the implementation is judged placed as
torch places its own; ``opaque=False`` swaps in the names exactly as shipped.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import torch

from conformance.applicability import NotApplicable
from conformance.implementation import PUBLIC_NAMES, Implementation

TORCH_MODULE = "torch._dynamo.create_parameter_op"
DYNAMO_PREFIX = "torch._dynamo"
OPAQUE_NAME = "new_parameter_placeholder"

_lock = threading.Lock()
"""One swap-in at a time per process: two would overwrite each other's copies."""


@dataclass(frozen=True)
class Site:
    """One place Dynamo reads a public name from: ``module.attribute`` held ``original``."""

    module: ModuleType
    attribute: str
    name: str
    original: Any


def torch_originals() -> dict[str, Any]:
    """torch's own public names (an empty dict where torch lacks the module: torch < 2.4)."""
    try:
        import torch._dynamo.create_parameter_op as module
    except ImportError:
        return {}
    return {name: getattr(module, name) for name in PUBLIC_NAMES if hasattr(module, name)}


def sites(originals: dict[str, Any] | None = None) -> list[Site]:
    """Every ``torch._dynamo`` module attribute that holds one of torch's own public names."""
    import torch._dynamo  # noqa: F401  (loads the variable modules that copy the names)

    originals = torch_originals() if originals is None else originals
    by_id = {id(value): name for name, value in originals.items()}
    found = []
    for module_name, module in list(sys.modules.items()):
        if module is None or not (module_name == DYNAMO_PREFIX
                                  or module_name.startswith(DYNAMO_PREFIX + ".")):
            continue
        for attribute, value in list(vars(module).items()):
            name = by_id.get(id(value))
            if name is not None and value is originals[name]:
                found.append(Site(module, attribute, name, value))
    return found


def opaque(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` made opaque to Dynamo and findable by module and name (see module doc).

    The wrapper lives in this module under :data:`OPAQUE_NAME` for the block, so
    compiled code that resolves ``__module__.__name__`` finds the wrapper, never the
    implementation's own function.
    """
    def new_parameter_placeholder(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    new_parameter_placeholder.__module__ = __name__
    new_parameter_placeholder.__qualname__ = OPAQUE_NAME
    # A fresh function each time: disabling an already disabled one may hand back the same
    # wrapper, and renaming it would change the implementation's own object.
    return torch.compiler.disable(new_parameter_placeholder)


def _config_changes() -> dict[str, Any]:
    """Dynamo settings the E-clauses need, where this torch has them."""
    wanted = {"graph_break_on_nn_param_ctor": False}
    config = torch._dynamo.config
    return {key: value for key, value in wanted.items() if hasattr(config, key)}


def dynamo_settings() -> Any:
    """The block's Dynamo settings, for a thread the block starts (Dynamo's config may
    be read per thread)."""
    return torch._dynamo.config.patch(**_config_changes())


@contextmanager
def swapped_in(implementation: Implementation, *, opaque_constructor: bool = True,
               config: dict[str, Any] | None = None) -> Iterator[list[Site]]:
    """Make Dynamo call ``implementation`` instead of torch's module for the block.

    Names the implementation lacks stay torch's (the property that needs them
    raises ``MissingApi`` itself). ``config`` adds Dynamo settings for the block.
    Yields the sites it patched. Raises :class:`NotApplicable` where this torch lacks the
    module (torch < 2.4) or a setting in ``config``.
    """
    import torch._dynamo
    from torch._dynamo.utils import counters

    replacements: dict[str, Any] = {}
    for name in PUBLIC_NAMES:
        if implementation.has(name) or name == "TracableCreateParameter":
            value = getattr(implementation.namespace, name, None)
            if value is not None:
                replacements[name] = value
    if opaque_constructor and OPAQUE_NAME in replacements:
        replacements[OPAQUE_NAME] = opaque(replacements[OPAQUE_NAME])
    dynamo_config = torch._dynamo.config
    if not torch_originals():
        raise NotApplicable(f"this torch ({torch.__version__}) has no {TORCH_MODULE}: Dynamo "
                            "graph-breaks on nn.Parameter and never calls an implementation")
    lacking = [key for key in config or {} if not hasattr(dynamo_config, key)]
    if lacking:
        raise NotApplicable(f"this torch ({torch.__version__}) has no "
                            f"torch._dynamo.config.{lacking[0]}")
    settings = {**_config_changes(), **(config or {})}
    with _lock:
        found = sites()
        previous_config = {key: getattr(dynamo_config, key) for key in settings}
        module = sys.modules[__name__]
        had_opaque = hasattr(module, OPAQUE_NAME)
        try:
            for site in found:
                if site.name in replacements:
                    setattr(site.module, site.attribute, replacements[site.name])
            if opaque_constructor and OPAQUE_NAME in replacements:
                setattr(module, OPAQUE_NAME, replacements[OPAQUE_NAME])
            for key, value in settings.items():
                setattr(dynamo_config, key, value)
            torch._dynamo.reset()
            counters.clear()  # graph-break reasons of this block only (E-5 reads them)
            yield found
        finally:
            for site in found:
                setattr(site.module, site.attribute, site.original)
            for key, value in previous_config.items():
                setattr(dynamo_config, key, value)
            if not had_opaque and hasattr(module, OPAQUE_NAME):
                delattr(module, OPAQUE_NAME)
            torch._dynamo.reset()
