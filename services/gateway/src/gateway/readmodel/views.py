"""Which persons' finished views a transaction must render again before it commits.

The person view is stored finished (``person_views``, see :mod:`gateway.persons.rendered`): whatever changes what it
shows — a person's section documents (:data:`gateway.readmodel.store.PERSONS`), their alerts or a staff action on
one — marks the person here, in the same session. Just before that session's transaction commits, the marked persons'
views are rendered from what the transaction wrote, so a view and what it shows commit together, whoever commits
(the consumer's batch, a request's unit of work, a scheduled job, a rebuild, a test's helper).

A transaction that marks more than :data:`INLINE_MAX` persons (a consumer catching up, a replay, a bulk load) removes
their views and queues them instead (``person_views_pending``): a person changed in many batches of a catch-up is
rendered once, after it, by the view job, and reads meanwhile assemble the view live.
"""

from __future__ import annotations

from collections.abc import Iterable
from time import monotonic
from typing import Any

from sqlalchemy import event
from sqlalchemy.util import await_only
from sqlmodel.ext.asyncio.session import AsyncSession

_INFO = "hrss_person_views"
INLINE_MAX = 100  # persons a transaction renders before its commit; more are queued for the view job
last_deferral = float("-inf")  # when this process last queued views (monotonic): a catch-up is under way
queued_here = False  # this process queued views not yet rendered (gateway.persons.rendered.follow renders them)


def mark(session: AsyncSession, id_numbers: Iterable[str | None]) -> None:
    """Render these persons' views before ``session``'s transaction commits."""
    keys = {key for key in id_numbers if key}
    if not keys:
        return
    pending: set[str] | None = session.info.get(_INFO)
    if pending is None:
        pending = session.info[_INFO] = set()

        def before_commit(_: Any) -> None:
            # A sync session event, run inside the greenlet of the async session's commit: await_only runs the
            # (async) rendering there, in the transaction about to commit.
            todo = session.info.pop(_INFO, None)
            if todo:
                from gateway.persons import rendered

                if len(todo) <= INLINE_MAX:
                    await_only(rendered.render(session, sorted(todo)))
                else:
                    global last_deferral, queued_here
                    last_deferral, queued_here = monotonic(), True
                    await_only(rendered.defer(session, sorted(todo)))

        event.listen(session.sync_session, "before_commit", before_commit, once=True)
        event.listen(session.sync_session, "after_rollback", lambda _: session.info.pop(_INFO, None), once=True)
    pending.update(keys)
