"""第三代社会保障卡 social security cards and their service scenarios (一卡通应用场景)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field as DbField

from hrss_contracts.social_insurance import CARD_NUMBER_PATTERN
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import PersonName, short_text
from hrss_shared.validators import CountyCode, IdNumber
from social_insurance.db import Base

_CARD_NUMBER = re.compile(CARD_NUMBER_PATTERN)
_SERVICE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _uuid() -> str:
    return str(uuid.uuid4())


def _str_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("应为字符串 (must be a string)")
    return value


def _card_number(value: str) -> str:
    v = value.strip().upper()
    if not _CARD_NUMBER.fullmatch(v):
        raise ValueError(f"社会保障卡卡号应为1位大写字母加8位数字，如 Q00012345 (card number: a letter and 8 digits, "
                         f"got {v[:20]!r})")
    return v


# 社会保障卡卡号: a capital letter and eight digits.
CardNumber = Annotated[
    str, BeforeValidator(_str_only), AfterValidator(_card_number),
    WithJsonSchema({"type": "string", "pattern": CARD_NUMBER_PATTERN, "examples": ["Q00012345"]}, mode="validation"),
]


class CardStatus(StrEnum):
    active = "active"  # 正常
    lost = "lost"  # 挂失
    cancelled = "cancelled"  # 注销（含补换后的原卡）


STATUS_NAMES = {CardStatus.active: "正常", CardStatus.lost: "挂失", CardStatus.cancelled: "注销"}
VALID_STATUSES = (CardStatus.active, CardStatus.lost)  # a person holds one valid card


class CardService(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=_SERVICE_CODE.pattern, description="场景代码")
    name: str = Field(description="场景名称")
    description: str = Field(description="说明")


class CardServicesPolicy(PolicyVersion):
    """policy/card_services.toml: the scenarios a card can enable and those a new card starts with."""

    illustrative: bool = False
    default_enabled: list[str]
    service: list[CardService] = Field(min_length=1)


class CardServicePublic(CardService):
    default_enabled: bool = Field(description="新卡默认开通")


class CardServicesCatalogue(BaseModel):
    data: list[CardServicePublic]
    policy_source: str
    illustrative: bool = Field(description="true: 场景清单为平台示例，无官方文号")


def _code(value: str) -> str:
    if not _SERVICE_CODE.fullmatch(value):
        raise ValueError(f"场景代码格式错误 (service code: lower-case letters, digits and _, got {value[:40]!r})")
    return value


ServiceCode = Annotated[str, BeforeValidator(_str_only), AfterValidator(_code)]
Reason = Annotated[str, short_text(200, label="原因")]


class CardCreate(BaseModel):
    id_number: IdNumber = Field(description="持卡人公民身份号码")
    name: PersonName = Field(description="持卡人姓名")
    county_code: CountyCode = Field(description="发卡地县（市、区）代码")
    issued_date: SupportedDate | None = Field(default=None, description="发卡日期（不填为今天，不晚于今天）")


class LossReport(BaseModel):
    lost_date: SupportedDate | None = Field(default=None, description="挂失日期（不填为今天）")


class Replacement(BaseModel):
    reason: Reason = Field(description="补换原因，如 挂失补卡、损坏换卡")


class CardCancellation(BaseModel):
    reason: Reason = Field(description="注销原因")


class ServicesUpdate(BaseModel):
    services: list[ServiceCode] = Field(max_length=50, description="开通的场景代码（整体替换；见 /v1/card-services）")


class CardPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    card_number: str = Field(description="社会保障卡卡号")
    id_number: PersonIdNumber
    name: str
    county_code: str
    status: CardStatus = Field(description="active 正常 / lost 挂失 / cancelled 注销")
    services: list[str] = Field(description="已开通的应用场景代码")
    issued_date: date
    lost_date: date | None
    cancelled_date: date | None
    cancel_reason: str | None
    replaces_card_number: str | None = Field(description="补换卡时被替换的原卡号")
    replaced_by_card_number: str | None = Field(description="补换后的新卡号")
    created_at: datetime


class Card(Base, table=True):
    __tablename__ = "cards"
    __table_args__ = (
        # One valid (active or lost) card per person, enforced by the database as well.
        Index("uq_card_valid_person", "id_number", unique=True,
              sqlite_where=text("status IN ('active', 'lost')"), postgresql_where=text("status IN ('active', 'lost')")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    card_number: str = DbField(max_length=9, unique=True)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    status: str = DbField(default=CardStatus.active, max_length=10, index=True)
    services: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    issued_date: date = DbField(index=True)
    lost_date: date | None = None
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    replaces_card_number: str | None = DbField(default=None, max_length=9)
    replaced_by_card_number: str | None = DbField(default=None, max_length=9)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
