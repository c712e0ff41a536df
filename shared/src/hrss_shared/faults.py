"""Which errors are transient: the dependency will answer again, and the same work will then succeed."""

from __future__ import annotations

import errno
import socket


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means a dependency cannot be reached now, not that the work is wrong.

    Connection failures and resets, time-outs, a pool with no connection to give, PostgreSQL refusing
    connections while it starts or stops, lock and serialization conflicts, and SQLite staying locked past
    its retries. Requests answer these with 503 and ``Retry-After``; consumers retry them for as long as
    they last, holding their position.
    """
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ConnectionError | TimeoutError | socket.gaierror) or _network_os_error(error):
            return True
        name = type(error).__name__
        module = type(error).__module__
        if module.startswith("asyncpg") and name in _ASYNCPG_TRANSIENT:
            return True
        invalidated = getattr(error, "connection_invalidated", False)
        if module.startswith("sqlalchemy") and (name == "TimeoutError" or invalidated):
            return True
        if module == "sqlite3" and name == "OperationalError" and "locked" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return False


_ASYNCPG_TRANSIENT = frozenset({
    "CannotConnectNowError", "ConnectionDoesNotExistError", "ConnectionFailureError", "AdminShutdownError",
    "CrashShutdownError", "TooManyConnectionsError",
    "ConnectionRejectionError", "PostgresConnectionError", "DeadlockDetectedError", "LockNotAvailableError",
    "SerializationError", "QueryCanceledError",
})


_NETWORK_ERRNOS = frozenset({
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.ENETUNREACH,
    errno.ETIMEDOUT, errno.EPIPE, errno.EADDRNOTAVAIL,
})


def _network_os_error(error: BaseException) -> bool:
    """An OSError from a socket: asyncpg raises a bare one ("Multiple exceptions: ...") when every address fails."""
    if not isinstance(error, OSError):
        return False
    return error.errno in _NETWORK_ERRNOS or (error.errno is None and (
        "Connect call failed" in str(error) or str(error).startswith("Multiple exceptions")))
