"""Work the database could not do because it was unreachable, done again (docs/operations.md).

A PostgreSQL restart or failover closes the open connections and refuses new ones for a few
seconds. Work caught by it runs again, after a pause that doubles (with jitter) from
`FIRST_PAUSE_S` up to `LONGEST_PAUSE_S`, for at most `Retry.within` seconds in all (the
setting ORDERBOT_DATABASE_RETRY_SECONDS); past that it fails with `DatabaseUnavailable`. This
is the one policy of every caller: the engine's turns, the staff actions, the outbox runner's
transactions, the jobs (`Database.with_retries`, `Database.run_in_transaction`).

Only a lost or refused connection is retried (`connection_failure`): never a unique-key race or
a stale conversation (the engine's own loop runs the event again for those, a bounded number of
times), a constraint, bad SQL, or the like, which would fail the same way again.

Running the work again is safe when it failed before COMMIT: nothing was committed. A failure
DURING COMMIT is ambiguous: the commit may have landed. So retried work finds its own traces:
a turn its delivery id in the inbox (the retry changes nothing and returns no replies), a staff
action its delivery id, a status change the status it expects, and the outbox's marks are the
same whether written once or twice.

An outage is logged once, not per attempt: when the first connection fails, then when work
succeeds again (how long it lasted, how much work waited, how much gave up), and at the first
work that gave up. A healthy database costs nothing but the `try`: nothing is timed, counted
or allocated until a connection fails.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_WITHIN_S = 10.0  # the default bound of all the waiting for one piece of work
FIRST_PAUSE_S = 0.05
LONGEST_PAUSE_S = 1.0
# SQLSTATEs of a server going away or not accepting connections yet: class 08 (connection
# exception), except 08P01, a protocol violation (a bad bind: our bug, not the network); and
# 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now ("the database system
# is starting up", "... is shutting down").
_NOT_THE_NETWORK = frozenset({"08P01"})
_GOING_AWAY = frozenset({"57P01", "57P02", "57P03"})


class DatabaseUnavailable(Exception):
    """The database stayed unreachable longer than the retries wait (`Retry.within`).

    The work is not known to be done: nothing of it was committed, unless its last attempt
    failed during COMMIT (then it may have been). Work that finds its own traces (a turn, by
    its delivery id) can be kept and run again later; the cause is the last connection error.
    """


def connection_failure(error: BaseException) -> bool:
    """Whether `error` means the connection was lost or could not be made: retried."""
    if isinstance(error, DatabaseUnavailable):
        return False
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        orig = error.orig
        return isinstance(orig, BaseException) and connection_failure(orig)
    if isinstance(error, OSError):  # refused, reset, broken pipe, a connect timeout
        return True
    state = getattr(error, "sqlstate", None)  # asyncpg's errors, raised as they are on connect
    if not isinstance(state, str):
        return False
    return (state.startswith("08") and state not in _NOT_THE_NETWORK) or state in _GOING_AWAY


@dataclass(slots=True)
class _Outage:
    since: float
    waited: int = 0  # pieces of work that met a failed connection
    gave_up: int = 0


class Retry:
    """The retry policy (one per `Database`), and the outage it is going through, if any."""

    def __init__(
        self,
        within: float = RETRY_WITHIN_S,
        *,
        first: float = FIRST_PAUSE_S,
        longest: float = LONGEST_PAUSE_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if within < 0 or first <= 0 or longest < first:
            raise ValueError("retry: within >= 0 and 0 < first <= longest, in seconds")
        self.within = within
        self.first = first
        self.longest = longest
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._outage: _Outage | None = None

    def pause(self, attempt: int) -> float:
        """The pause before the `attempt`th retry (1, 2, ...): `first` doubling up to `longest`,
        jittered down to between half of it and all of it, so that the work waiting on one
        outage does not come back all at once."""
        ceiling = min(self.longest, self.first * 2 ** min(attempt - 1, 32))
        return ceiling * (0.5 + 0.5 * self._jitter())

    async def run(self, work: Callable[[], Awaitable[T]], what: str = "database work") -> T:
        """`work()`, again while it fails on a connection, for up to `within` seconds in all;
        then `DatabaseUnavailable`. Any other error is raised as it is."""
        try:
            result = await work()
        except Exception as error:
            if not connection_failure(error):
                raise
            return await self._again(work, what, error)
        if self._outage is not None:
            self._back()
        return result

    async def _again(self, work: Callable[[], Awaitable[T]], what: str, error: Exception) -> T:
        deadline = self._clock() + self.within
        self._failed(error).waited += 1
        attempt = 0
        while True:
            left = deadline - self._clock()
            if left <= 0:
                self._give_up(what, error)
                raise DatabaseUnavailable(
                    f"{what}: no database connection for {self.within:g} s ({describe(error)})"
                ) from error
            attempt += 1
            await self._sleep(min(self.pause(attempt), left))
            try:
                result = await work()
            except Exception as again:
                if not connection_failure(again):
                    raise
                error = again
                self._failed(error)  # a new outage if another piece of work saw the end of one
                continue
            self._back()
            return result

    def _failed(self, error: Exception) -> _Outage:
        if self._outage is None:
            self._outage = _Outage(self._clock())
            log.warning(
                "database connection lost (%s): retrying work for up to %g s",
                describe(error),
                self.within,
            )
        return self._outage

    def _give_up(self, what: str, error: Exception) -> None:
        outage = self._failed(error)
        outage.gave_up += 1
        if outage.gave_up == 1:
            log.error(
                "database unreachable for %g s: %s gave up (DatabaseUnavailable); until the "
                "database is back, more that give up are counted, not logged",
                self.within,
                what,
            )

    def _back(self) -> None:
        outage, self._outage = self._outage, None
        if outage is not None:
            log.warning(
                "database reachable again after %.1f s: %d piece(s) of work waited, %d gave up",
                self._clock() - outage.since,
                outage.waited,
                outage.gave_up,
            )


def describe(error: BaseException) -> str:
    """The error in one line: the driver's own when SQLAlchemy wraps it (its message carries
    the SQL and a link)."""
    if isinstance(error, DBAPIError) and isinstance(error.orig, BaseException):
        error = error.orig
    return f"{type(error).__name__}: {error}"
