"""Contracts of ``hrss.gateway``: what the gateway owns and every service must know — API clients' revocations.

Subject: the client's id (``client_id``). Every service replays this topic from its beginning at start-up and
follows it (:mod:`hrss_shared.revocations`), so the topic keeps every event. Within a ``.v1`` type only
additive changes; a breaking change is a new ``.v2`` type.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from hrss_shared.auth import REVOKED_EVENT_TYPE
from hrss_shared.events import Contract, EventData


class ClientRevoked(EventData):
    """接入系统凭证吊销 an API client was revoked: every service refuses its tokens from now on."""

    client_id: str = Field(min_length=1, max_length=64, description="接入系统 id (the token's ``sub``)")
    revoked_at: AwareDatetime = Field(description="吊销时间 When the gateway revoked it")


# The type is hrss.gateway.client.revoked.v1, named in hrss_shared.auth: every service's revocation follower
# (hrss_shared.revocations) reads it, and the mechanisms import no contracts.
CLIENT_REVOKED = Contract(
    REVOKED_EVENT_TYPE, ClientRevoked, subject="client_id",
    summary="接入系统凭证吊销 An API client was revoked; every service refuses its tokens",
)
