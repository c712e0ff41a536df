"""Which persons' finished views a transaction must render again before it commits.

The person view is stored finished (``person_views``, see :mod:`gateway.persons.rendered`): whatever changes what it
shows — a person's section documents (:data:`gateway.readmodel.store.PERSONS`), their alerts or a staff action on
one — marks the person here, in the same session. Just before that session's transaction commits, the marked persons'
views are rendered from what the transaction wrote, so a view and what it shows commit together, whoever commits
(the consumer's batch, a request's unit of work, a scheduled job, a rebuild, a test's helper).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.util import await_only
from sqlmodel.ext.asyncio.session import AsyncSession

_INFO = "hrss_person_views"


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
                from gateway.persons.rendered import render

                await_only(render(session, sorted(todo)))

        event.listen(session.sync_session, "before_commit", before_commit, once=True)
        event.listen(session.sync_session, "after_rollback", lambda _: session.info.pop(_INFO, None), once=True)
    pending.update(keys)
