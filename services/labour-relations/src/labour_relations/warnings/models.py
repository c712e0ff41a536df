"""欠薪联合预警 arrears warnings: signals about an employer, its decaying score, and warnings on threshold crossings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.policy import PolicyVersion
from labour_relations.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class SignalKind(StrEnum):
    contribution_arrears = "contribution_arrears"  # 社保欠缴（社会保险服务事件）
    missed_payroll = "missed_payroll"  # 未按月发薪
    below_minimum_wage = "below_minimum_wage"  # 低于最低工资标准
    complaint = "complaint"  # 欠薪投诉
    group_case = "group_case"  # 群体性欠薪


class WarningStatus(StrEnum):
    open = "open"  # 预警中
    cleared = "cleared"  # 已解除


class WarningPolicy(PolicyVersion):
    """policy/warnings.toml."""

    illustrative: bool = False
    threshold: float = Field(gt=0)
    half_life_days: int = Field(gt=0)
    window_days: int = Field(gt=0)
    weights: dict[SignalKind, float]


class Signal(Base, table=True):
    __tablename__ = "warning_signals"
    # One signal per source record and kind: a redelivered event or a re-run job adds nothing.
    __table_args__ = (Index("uq_warning_signal_kind_reference", "kind", "reference", unique=True),)

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    credit_code: str = DbField(max_length=18, index=True)
    county_code: str | None = DbField(default=None, max_length=6)
    kind: str = DbField(max_length=30)
    reference: str = DbField(max_length=100)
    occurred_date: date
    ended_date: date | None = None  # resolved or withdrawn: no longer counts
    created_at: datetime = DbField(default_factory=clock.now)


class ArrearsWarning(Base, table=True):
    __tablename__ = "arrears_warnings"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    credit_code: str = DbField(max_length=18, index=True)
    county_code: str | None = DbField(default=None, max_length=6, index=True)
    status: str = DbField(default=WarningStatus.open, max_length=10, index=True)
    score: float
    threshold: float
    raised_date: date = DbField(index=True)
    cleared_date: date | None = None
    cleared_score: float | None = None
    signals: list[dict[str, Any]] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    policy_source: str = DbField(max_length=500)
    illustrative: bool = False
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None


class SignalPoints(BaseModel):
    kind: SignalKind = Field(description="contribution_arrears 社保欠缴 / missed_payroll 未按月发薪 / below_minimum_"
                                         "wage "
                                         "低于最低工资 / complaint 欠薪投诉 / group_case 群体性欠薪")
    reference: str = Field(description="来源记录 id（欠缴记录、未发薪记录、工资发放记录、案件）")
    occurred_date: date
    weight: float = Field(description="权重")
    points: float = Field(description="衰减后的分值 = 权重 × 0.5^(天数/半衰期)")


class WarningPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    credit_code: str
    county_code: str | None
    status: WarningStatus = Field(description="open 预警中 / cleared 已解除")
    score: float = Field(description="预警时分值")
    threshold: float
    raised_date: date
    cleared_date: date | None
    cleared_score: float | None
    signals: list[SignalPoints] = Field(description="构成预警分值的信号")
    policy_source: str
    illustrative: bool = Field(description="true: 权重与阈值为平台示例值，无官方文号")
    created_at: datetime


class EmployerRisk(BaseModel):
    credit_code: str
    as_of: date = Field(description="计算日期（今天）")
    score: float = Field(description="欠薪预警分值")
    threshold: float = Field(description="预警阈值")
    above_threshold: bool
    signals: list[SignalPoints] = Field(description="计入分值的信号（衰减后分值大于0）")
    open_warning: WarningPublic | None = Field(description="当前预警（如有）")
    dishonest: bool = Field(description="在拖欠农民工工资失信联合惩戒名单内")
    policy_source: str
    illustrative: bool = Field(description="true: 权重、衰减与阈值为平台示例值")
