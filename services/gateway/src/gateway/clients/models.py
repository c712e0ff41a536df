"""API clients 接入系统 and their credentials."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import JSON, Column
from sqlmodel import Field as DbField

from gateway.db import Base
from hrss_shared import clock
from hrss_shared.auth import validate_scopes
from hrss_shared.validators import CountyCode


class ApiClient(Base, table=True):
    __tablename__ = "api_clients"

    id: str = DbField(primary_key=True, max_length=64)
    name: str = DbField(max_length=200)
    scopes: list[str] = DbField(sa_column=Column(JSON, nullable=False))
    county_code: str | None = DbField(default=None, max_length=6)
    created_at: datetime = DbField(default_factory=clock.now)
    revoked_at: datetime | None = None


class ClientCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="接入系统名称")
    scopes: list[str] = Field(min_length=1, description="权限范围, e.g. employment:read, pii:read, admin")
    county_code: CountyCode | None = Field(default=None, description="限定县（市、区）; empty = whole city")
    ttl_days: int | None = Field(default=365, ge=1, le=3650, description="凭证有效天数")

    @field_validator("scopes")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        return sorted(validate_scopes(value))


class ClientPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    scopes: list[str]
    county_code: str | None
    created_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientPublic):
    token: str = Field(description="Bearer token — shown once")
