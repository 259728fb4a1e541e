"""Turn an implementation SPEC into an :class:`Implementation`.

SPEC forms, tried in this order:

``reference``
    our executable spec, :mod:`reference_impl`;
``torch``
    the installed ``torch._dynamo.create_parameter_op``;
a name registered under the entry-point group :data:`ENTRY_POINT_GROUP`;
``path/to/impl.py``
    a Python file;
``pkg.mod:attr``
    an attribute of a module (an object or class holding the names);
``pkg.mod``
    a module.

Anything that cannot be loaded raises :class:`ImplementationSpecError`, a
usage error that names the SPEC, the reason and the known names: a module that
raises, exits (``sys.exit``) or does not finish importing within
:data:`IMPORT_SECONDS` included.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from conformance.deadline import ImplementationHang, call_with_deadline
from conformance.implementation import PUBLIC_NAMES, Implementation

ENTRY_POINT_GROUP = "create_parameter_conformance.implementations"

IMPORT_SECONDS = 120.0
"""Most seconds an implementation's import may take (torch and Dynamo take 5 to 15): a module
still importing then is stuck, and reported so rather than waited for. Bounded as every call
into an implementation is (:mod:`conformance.deadline`: the main thread, ``SIGALRM``), so a
hang that never returns to Python, inside C code, is beyond it."""

BUILTIN: dict[str, str] = {
    "reference": "reference_impl",
    "torch": "torch._dynamo.create_parameter_op",
}


class ImplementationSpecError(Exception):
    """A SPEC that names no loadable implementation (a usage error)."""

    def __init__(self, spec: str, reason: str) -> None:
        self.spec = spec
        self.reason = reason
        known = ", ".join(known_implementations()) or "(none)"
        super().__init__(
            f"cannot load implementation {spec!r}: {reason}\n"
            f"known implementation names: {known}\n"
            "a SPEC may also be a dotted module (pkg.mod), pkg.mod:attr, or a path to a .py file"
        )


def known_implementations() -> dict[str, str]:
    """Implementation names a SPEC may use, each with where it comes from."""
    known = {name: f"built in ({target})" for name, target in BUILTIN.items()}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        known.setdefault(entry.name, f"entry point {entry.value} ({_distribution_of(entry)})")
    return known


def _distribution_of(entry: Any) -> str:
    dist = getattr(entry, "dist", None)
    return f"from {dist.name}" if dist is not None else "unknown distribution"


def _loading(spec: str, what: str, load: Callable[..., Any], *args: Any) -> Any:
    """``load(*args)``, an import of the implementation, within :data:`IMPORT_SECONDS`; any
    way the module fails to finish importing is an :class:`ImplementationSpecError` saying
    ``what`` happened."""
    try:
        return call_with_deadline(IMPORT_SECONDS, what, load, *args)
    except ImplementationHang as error:
        raise ImplementationSpecError(spec, str(error)) from None
    except SystemExit as error:  # not a request to end this run: the module will not load
        raise ImplementationSpecError(spec, f"{what} called sys.exit({error.code!r})") from None
    except Exception as error:  # the module itself raised while importing
        raise ImplementationSpecError(spec, f"{what} raised {type(error).__name__}: {error}") \
            from None


def _import_module(spec: str, dotted: str) -> Any:
    return _loading(spec, f"importing {dotted!r}", importlib.import_module, dotted)


def _load_file(spec: str, path: Path) -> Any:
    if not path.is_file():
        raise ImplementationSpecError(spec, f"no such file: {path}")
    resolved = path.resolve()
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:8]
    stem = re.sub(r"\W", "_", resolved.stem)
    name = f"cpconf_impl_{stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    module_spec = importlib.util.spec_from_file_location(name, resolved)
    if module_spec is None or module_spec.loader is None:
        raise ImplementationSpecError(spec, f"{path} is not a loadable Python file")
    module = importlib.util.module_from_spec(module_spec)
    # Registered before running so the module can be imported again by name.
    sys.modules[name] = module
    try:
        _loading(spec, f"executing {path}", module_spec.loader.exec_module, module)
    except ImplementationSpecError:
        del sys.modules[name]
        raise
    return module


def _looks_like_path(spec: str) -> bool:
    return spec.endswith(".py") or os.sep in spec or (os.altsep or os.sep) in spec


def _resolve(spec: str) -> tuple[Any, str]:
    """Return the namespace holding the names and a description of its origin."""
    if spec in BUILTIN:
        module = _import_module(spec, BUILTIN[spec])
        return module, f"{BUILTIN[spec]} from {getattr(module, '__file__', '?')}"
    for entry in entry_points(group=ENTRY_POINT_GROUP, name=spec):
        return (_loading(spec, f"loading entry point {entry.value}", entry.load),
                f"entry point {entry.value} ({_distribution_of(entry)})")
    if _looks_like_path(spec):
        path = Path(spec)
        return _load_file(spec, path), f"file {path.resolve()}"
    module_name, _, attribute = spec.partition(":")
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module_name):
        raise ImplementationSpecError(spec, "not a known name, a dotted module or a .py path")
    module = _import_module(spec, module_name)
    origin = f"{module_name} from {getattr(module, '__file__', '?')}"
    if not attribute:
        return module, origin
    try:
        return getattr(module, attribute), f"{spec} ({origin})"
    except AttributeError:
        raise ImplementationSpecError(
            spec, f"{module_name} has no attribute {attribute!r}"
        ) from None


def load(spec: str) -> Implementation:
    """Load one implementation; raise :class:`ImplementationSpecError` if impossible."""
    spec = spec.strip()
    if not spec:
        raise ImplementationSpecError(spec, "empty implementation SPEC")
    namespace, origin = _resolve(spec)
    if not any(callable(getattr(namespace, name, None)) for name in PUBLIC_NAMES):
        raise ImplementationSpecError(
            spec, f"it exposes none of the API names ({', '.join(PUBLIC_NAMES)})"
        )
    return Implementation(spec=spec, origin=origin, namespace=namespace, id=_id_for(spec))


def _id_for(spec: str) -> str:
    if _looks_like_path(spec):
        return Path(spec).name
    return spec


def load_all(specs: list[str]) -> list[Implementation]:
    """Load several SPECs, giving each a distinct test ID (``x``, ``x-2``, ...)."""
    loaded: list[Implementation] = []
    seen: dict[str, int] = {}
    for spec in specs:
        implementation = load(spec)
        count = seen.get(implementation.id, 0) + 1
        seen[implementation.id] = count
        if count > 1:
            implementation = replace(implementation, id=f"{implementation.id}-{count}")
        loaded.append(implementation)
    return loaded
