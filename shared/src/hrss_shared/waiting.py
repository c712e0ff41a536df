"""Reads that wait for a change: ``Prefer: wait=N`` (RFC 7240) with ``If-None-Match`` (RFC 9110), signalled in process.

A client that has just written somewhere (an employment registration in the employment service) and wants the
gateway's answer once it shows the change asks with ``Prefer: wait=N`` and, if it holds an answer already, that
answer's ``ETag`` in ``If-None-Match``. The server answers at once when its current answer differs from the one the
client holds (or exists at all, when the client holds none); otherwise it waits until the subject changes or N
seconds pass, and then answers what it has (``304 Not Modified``, or the 404). One waiting request replaces a client's
polling loop: its cost is one read when it arrives and one each time the subject changes.

The read side is told of changes in process: the code that commits a subject's new state calls
:meth:`ChangeSignal.notify` with the subjects' keys after the commit. Changes this process is not told of (written
by another instance, or by a part that does not signal) are found by re-reading every :data:`RECHECK` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Iterable, Iterator

# Seconds: the longest wait a client may ask for (a longer ``Prefer: wait`` is cut to this). The server finishes its
# requests before it stops, so this stays well under the time a stop allows (20 s for ``hrss up``, 30 s in
# docker-compose) before the process is killed and its relay cannot finish cleanly.
MAX_WAIT = 10.0
RECHECK = 0.25  # seconds: a waiting read re-reads this often, for changes no signal reports
WAITED = "hrss.waited_seconds"  # ASGI scope key: how long the request waited for a change (not counted as work)

_WAIT = re.compile(r"^\s*wait\s*=\s*\"?(\d{1,9})\"?\s*$", re.IGNORECASE)


class _Entry:
    __slots__ = ("changed", "watchers")

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.watchers = 0


class ChangeSignal:
    """Waiting readers by subject key, woken when a writer reports the key changed (after its commit)."""

    def __init__(self) -> None:
        self._waiting: dict[str, _Entry] = {}

    @contextlib.contextmanager
    def watch(self, key: str) -> Iterator[asyncio.Event]:
        """An event set by the next :meth:`notify` naming ``key``. Enter it *before* reading the subject, so a change
        committed between the read and the wait is not missed."""
        entry = self._waiting.get(key)
        if entry is None:
            entry = self._waiting[key] = _Entry()
        entry.watchers += 1
        try:
            yield entry.changed
        finally:
            entry.watchers -= 1
            if entry.watchers == 0 and self._waiting.get(key) is entry:
                del self._waiting[key]

    def notify(self, keys: Iterable[str]) -> None:
        """Wake every reader watching one of ``keys`` (a committed batch's changed subjects)."""
        if not self._waiting:
            return
        keys = keys if isinstance(keys, (set, frozenset, dict)) else set(keys)
        if len(self._waiting) < len(keys):
            found = [key for key in self._waiting if key in keys]
        else:
            found = [key for key in keys if key in self._waiting]
        for key in found:
            self._waiting.pop(key).changed.set()

    @property
    def watched(self) -> int:
        """How many subjects have a reader waiting (for tests and metrics)."""
        return len(self._waiting)


def preferred_wait(prefer: Iterable[str]) -> float | None:
    """The ``wait`` preference of a request's ``Prefer`` header values, in seconds, cut to :data:`MAX_WAIT`; ``None``
    when there is none or it is not a whole number of seconds (RFC 7240: a preference the server cannot read is
    ignored, not refused). ``Prefer: respond-async, wait=10`` → 10.0."""
    for value in prefer:
        for preference in value.split(","):
            found = _WAIT.match(preference.split(";", 1)[0])
            if found:
                return min(float(found.group(1)), MAX_WAIT)
    return None


def etag_of(body: bytes) -> str:
    """A strong entity tag for ``body``: the same bytes always get the same tag."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (or is ``*``): the client holds this answer already. Weak comparison
    (RFC 9110 §13.1.2): ``W/"x"`` matches ``"x"``."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


async def until_changed(changed: asyncio.Event, seconds: float) -> None:
    """Wait for ``changed`` at most ``seconds`` (and at most :data:`RECHECK`): the caller then reads again."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(changed.wait(), min(seconds, RECHECK))
