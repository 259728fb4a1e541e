"""The nightly example database: a directory, or a shared Redis server.

``--db`` (``cpconf fuzz``) and ``--cp-db`` (the plugin) take either a
directory path (a Hypothesis ``DirectoryBasedExampleDatabase``, shared safely
by the xdist workers of one machine) or a URL ``redis://HOST:PORT/N``
(Hypothesis's own ``RedisExampleDatabase``), which many fuzzing processes on
many machines share: what one finds, every other replays first. Keys are the
same for both (the property plus the implementation, see
:mod:`conformance.fuzzing.hypothesis_patches`), so a matrix never mixes
implementations.

Hypothesis does not catch database errors while a test runs, so the database
is wrapped in :class:`GuardedDatabase`: a server lost mid-run is reported once
per process (a :class:`DatabaseLostWarning`) and the run goes on without it;
a lost database never turns into a clause failure. Before a run,
:func:`check` pings the server so an unreachable one is a usage error within
seconds instead of a hang or a silent fallback.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

URL_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_EXPIRE_DAYS = 8.0  # Hypothesis's own default: examples outlive a weekly job
SOCKET_TIMEOUT = 3.0  # seconds for one request: a dead server is noticed, never waited on
INSTALL_HINT = "pip install 'create-parameter-conformance[redis]'"


class DatabaseSpecError(ValueError):
    """A ``--db`` value that cannot be used: a usage error (exit 2)."""


class DatabaseLostWarning(UserWarning):
    """The shared example database stopped answering during the run."""


def is_url(spec: str) -> bool:
    return spec.startswith(URL_SCHEMES)


def _redis_client(url: str) -> Any:
    try:
        import redis
    except ImportError:
        raise DatabaseSpecError(
            f"--db {url}: a Redis database needs the redis client ({INSTALL_HINT})"
        ) from None
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        # No retries: one failed request is reported, not repeated for minutes.
        return redis.Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT,
            retry=Retry(NoBackoff(), 0), health_check_interval=0,
        )
    except ValueError as error:
        raise DatabaseSpecError(f"--db {url}: {error}") from None


_ANY_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def check(spec: str) -> None:
    """Raise :class:`DatabaseSpecError` when ``spec`` is a URL of another kind than Redis's
    (it would otherwise become a directory named after it), one whose server does not
    answer, or a directory that cannot be made (a file in the way, no permission): the
    directory is made here, so a run never finds that out halfway."""
    if not is_url(spec):
        if _ANY_URL.match(spec):
            raise DatabaseSpecError(
                f"--db {spec}: not a database this suite can use; give a directory or a "
                f"Redis URL ({', '.join(URL_SCHEMES)})")
        try:
            Path(spec).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            what = "a file, not a directory" if Path(spec).is_file() else \
                f"cannot make the directory ({error.strerror})"
            raise DatabaseSpecError(f"--db {spec}: {what}") from None
        return
    client = _redis_client(spec)
    try:
        client.ping()
    except Exception as error:  # any client error: refused, timed out, auth, bad db index
        raise DatabaseSpecError(
            f"cannot reach the example database {spec}: {error}"
        ) from None
    finally:
        client.close()


def open_database(spec: str, expire_days: float = DEFAULT_EXPIRE_DAYS) -> GuardedDatabase:
    """The database for ``spec`` (a directory or a Redis URL), wrapped; nothing is pinged."""
    if expire_days <= 0:
        raise DatabaseSpecError(f"the database expiry must be positive, not {expire_days:g} days")
    inner: ExampleDatabase
    if is_url(spec):
        from hypothesis.extra.redis import RedisExampleDatabase

        inner = RedisExampleDatabase(_redis_client(spec),
                                     expire_after=timedelta(days=expire_days))
    else:
        inner = DirectoryBasedExampleDatabase(spec)
    return GuardedDatabase(inner, spec)


class GuardedDatabase(ExampleDatabase):
    """Delegates to ``inner``; the first error disables it and warns once.

    It also counts the stored examples it handed out (``fetched``), so a fuzz
    run can say how many examples a property replayed before generating new ones.
    """

    def __init__(self, inner: ExampleDatabase, label: str) -> None:
        super().__init__()
        self.inner = inner
        self.label = label
        self.lost: str | None = None
        self.fetched = 0

    def __repr__(self) -> str:
        return f"GuardedDatabase({self.inner!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GuardedDatabase) and self.inner == other.inner

    def __hash__(self) -> int:
        return hash(self.label)

    def _lose(self, error: BaseException) -> None:
        self.lost = f"{type(error).__name__}: {error}"
        message = (f"the example database {self.label} stopped answering ({self.lost}); "
                   "this process goes on without it (nothing more is saved or replayed)")
        try:
            warnings.warn(DatabaseLostWarning(message), stacklevel=3)
        except Exception:  # "-W error" must not turn the warning into a failure
            pass

    def fetch(self, key: bytes) -> Iterable[bytes]:
        if self.lost is not None:
            return
        try:
            values = list(self.inner.fetch(key))
        except Exception as error:
            self._lose(error)
            return
        self.fetched += len(values)
        yield from values

    def save(self, key: bytes, value: bytes) -> None:
        self._call("save", key, value)

    def delete(self, key: bytes, value: bytes) -> None:
        self._call("delete", key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self._call("move", src, dest, value)

    def _call(self, name: str, *args: bytes) -> None:
        if self.lost is not None:
            return
        try:
            getattr(self.inner, name)(*args)
        except Exception as error:
            self._lose(error)
