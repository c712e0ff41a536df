"""Route dependencies of the training service."""

from typing import Annotated

from fastapi import Depends

from hrss_shared.app import ServiceRuntime, require
from hrss_shared.auth import Principal
from hrss_shared.auth import county_filter as county_filter  # one rule for every service's lists
from hrss_shared.outbox import Outbox
from hrss_shared.registry import TRAINING

Reader = Annotated[Principal, Depends(require(f"{TRAINING.scope_domain}:read"))]
Writer = Annotated[Principal, Depends(require(f"{TRAINING.scope_domain}:write"))]



class OutboxRef:
    """The running service's outbox, for the work done outside a request (consumers, scheduled jobs)."""

    def __init__(self) -> None:
        self._outbox: Outbox | None = None

    async def bind(self, runtime: ServiceRuntime) -> None:
        """A start-up hook: take the outbox the service's runtime built."""
        self._outbox = runtime.outbox

    def __call__(self) -> Outbox:
        if self._outbox is None:
            raise RuntimeError("the training service's outbox is not ready (the service has not started)")
        return self._outbox
