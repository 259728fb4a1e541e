"""Informational probe (S-9, INFO): how the switch behaves where one thread
runs several logical flows. Never raises for what it observes.

A ``threading.local`` flag is shared by all asyncio tasks of one thread, so a
task sees another task's context; a ``ContextVar`` is copied per task and does
not leak. Generators that enter the context and are closed out of order show
whether the restore-previous rule can strand the flag at False.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Generator
from typing import Any


def _tasks(context: Callable[[], Any], read: Callable[[], object]) -> str:
    entered = asyncio.Event()
    release = asyncio.Event()
    seen: dict[str, object] = {}

    async def holder() -> None:
        with context():
            seen["holder inside"] = read()
            entered.set()
            await release.wait()

    async def bystander() -> None:
        await entered.wait()
        seen["other task while holder inside"] = read()
        release.set()

    async def main() -> None:
        await asyncio.gather(holder(), bystander())
        seen["after both tasks"] = read()

    asyncio.run(main())
    leaks = seen["other task while holder inside"] is False
    verdict = "shared across tasks (thread-local)" if leaks else "isolated per task"
    values = ", ".join(f"{key}={value!r}" for key, value in seen.items())
    return f"asyncio tasks in one thread: {verdict} [{values}]"


def _generators(context: Callable[[], Any], read: Callable[[], object]) -> str:
    def inside() -> Generator[None, None, None]:
        with context():
            yield

    first, second = inside(), inside()
    next(first)
    next(second)
    first.close()
    after_first = read()
    second.close()
    after_both = read()
    stranded = after_both is not True
    verdict = "flag stranded at False" if stranded else "flag restored to True"
    return (
        "generators closed out of order: "
        f"{verdict} [after first close={after_first!r}, after both={after_both!r}]"
    )


def _observe(probe: Callable[..., str], *args: Any, timeout: float) -> str:
    """Run ``probe`` in a throwaway thread, so whatever it strands stays there."""
    box: list[str] = []

    def target() -> None:
        try:
            box.append(probe(*args))
        except Exception as exc:
            box.append(f"{probe.__name__.strip('_')}: raised {type(exc).__name__}: {exc}")

    thread = threading.Thread(target=target, name="cp-async-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return box[0] if box else f"{probe.__name__.strip('_')}: did not finish in {timeout:g}s"


def describe_async_behaviour(impl: Any, timeout: float = 5.0) -> str:
    """One paragraph on asyncio tasks and out-of-order generators (S-9, INFO).

    The two public names are looked up here, in the caller's thread, so a
    missing one raises ``MissingApi`` (a skip); everything else is reported as
    text, never raised.
    """
    context = impl.do_not_convert_to_tracable_parameter
    read = impl.can_convert_to_tracable_parameter
    return "; ".join(
        _observe(probe, context, read, timeout=timeout) for probe in (_tasks, _generators)
    )
