"""Breaks A-3: the switch returns an object whose ``__enter__``/``__exit__`` live on the instance.

``hasattr`` finds both, but a ``with`` statement looks the protocol up on the
type, so ``with do_not_convert_to_tracable_parameter(): ...`` raises
``TypeError``. Code that calls ``__enter__()``/``__exit__()`` by hand still works.
"""

from __future__ import annotations

from typing import Any

import reference_impl as _reference
from reference_impl import (
    TracableCreateParameter,
    can_convert_to_tracable_parameter,
    new_parameter_placeholder,
    tracable_create_parameter,
)

BREAKS = "A-3"

__all__ = [
    "TracableCreateParameter",
    "can_convert_to_tracable_parameter",
    "do_not_convert_to_tracable_parameter",
    "new_parameter_placeholder",
    "tracable_create_parameter",
]


class _Switch:
    def __init__(self) -> None:
        inner = _reference.do_not_convert_to_tracable_parameter()
        self.__enter__ = inner.__enter__
        self.__exit__ = inner.__exit__


def do_not_convert_to_tracable_parameter() -> Any:
    """Instance-bound protocol methods: invisible to ``with`` (A-3)."""
    return _Switch()
