"""在建工程项目 construction projects, their monthly payrolls (在线发薪 through the dedicated wage account), missed
payrolls and payroll lines below the minimum wage."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column, Index, Numeric, text
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money, PositiveMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import BankAccount, PersonIdNumber
from hrss_shared.text import OrgName, PersonName
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from labour_relations.common import Month, Reason
from labour_relations.db import Base

MAX_WORKERS = 2000
_ACCOUNT = re.compile(r"^[0-9]{8,32}$")


def _uuid() -> str:
    return str(uuid.uuid4())


def _account(value: str) -> str:
    v = value.replace(" ", "")
    if not _ACCOUNT.fullmatch(v):
        raise ValueError("农民工工资专用账户账号应为8至32位数字 (the dedicated wage account is 8 to 32 digits)")
    return v


WageAccount = Annotated[str, AfterValidator(_account)]


class ProjectStatus(StrEnum):
    active = "active"  # 在建
    completed = "completed"  # 竣工


class PayrollStatus(StrEnum):
    recorded = "recorded"  # 已登记
    cancelled = "cancelled"  # 已撤销


class MinimumWagePolicy(PolicyVersion):
    """policy/minimum_wage.toml: monthly minimum wage by county code."""

    illustrative: bool = False
    monthly: dict[str, Decimal]


class PayrollPolicy(PolicyVersion):
    """policy/payroll.toml: the day of the next month by which a month's payroll is due."""

    illustrative: bool = False
    pay_day: int = Field(ge=1, le=28)


class ProjectCreate(BaseModel):
    name: OrgName = Field(description="项目名称")
    credit_code: CreditCode = Field(description="施工总承包单位统一社会信用代码")
    contractor_name: OrgName = Field(description="施工总承包单位名称")
    county_code: CountyCode = Field(description="项目所在县（市、区）代码")
    wage_account: WageAccount = Field(description="农民工工资专用账户账号")
    wage_account_bank: OrgName = Field(description="专用账户开户银行")
    start_date: SupportedDate = Field(description="开工日期")
    completion_date: SupportedDate | None = Field(default=None, description="计划竣工日期（不早于开工日期）")

    @field_validator("completion_date")
    @classmethod
    def _after_start(cls, value: date | None, info: Any) -> date | None:
        start = info.data.get("start_date")
        if value is not None and isinstance(start, date) and value < start:
            raise ValueError(f"计划竣工日期早于开工日期 {start} (completion_date before start_date)")
        return value


class ProjectComplete(BaseModel):
    completed_date: SupportedDate | None = Field(default=None, description="竣工日期（默认今天；不早于开工日期）")


class ProjectPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    credit_code: str
    contractor_name: str
    county_code: str
    wage_account: BankAccount = Field(description="农民工工资专用账户（无 pii:read 时脱敏）")
    wage_account_bank: str
    start_date: date
    completion_date: date | None
    status: ProjectStatus = Field(description="active 在建 / completed 竣工")
    completed_date: date | None
    created_at: datetime
    updated_at: datetime | None


class Project(Base, table=True):
    __tablename__ = "projects"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    name: str = DbField(max_length=200)
    credit_code: str = DbField(max_length=18, index=True)
    contractor_name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    wage_account: str = DbField(max_length=32)
    wage_account_bank: str = DbField(max_length=200)
    start_date: date = DbField(index=True)
    completion_date: date | None = None
    status: str = DbField(default=ProjectStatus.active, max_length=10, index=True)
    completed_date: date | None = None
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None


class WorkerPay(BaseModel):
    id_number: IdNumber = Field(description="农民工公民身份号码")
    name: PersonName = Field(description="姓名")
    amount: PositiveMoney = Field(description="实发工资（元，精确到分）")


class WorkerPayPublic(BaseModel):
    id_number: PersonIdNumber
    name: str
    amount: Money
    below_minimum: bool = Field(description="低于当月该县最低工资标准")


def _distinct_workers(value: list[WorkerPay]) -> list[WorkerPay]:
    ids = [w.id_number for w in value]
    if len(set(ids)) != len(ids):
        raise ValueError("同一人员重复出现 (a worker appears twice)")
    return value


class PayrollCreate(BaseModel):
    month: Month = Field(description="工资所属月份 YYYY-MM")
    paid_date: SupportedDate = Field(description="发放日期（不早于所属月份首日，不晚于今天）")
    online: bool = Field(description="通过农民工工资专用账户在线发薪")
    workers: list[WorkerPay] = Field(min_length=1, max_length=MAX_WORKERS, description="发放明细")

    _workers = field_validator("workers")(_distinct_workers)


class PayrollCancel(BaseModel):
    reason: Reason = Field(description="撤销原因")


class PayrollPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    project_id: str
    credit_code: str
    county_code: str
    month: str
    paid_date: date
    online: bool = Field(description="在线发薪（专用账户）")
    workers: list[WorkerPayPublic]
    worker_count: int
    total_amount: Money
    minimum_wage: Money = Field(description="当月该县月最低工资标准")
    minimum_wage_source: str
    illustrative: bool = Field(description="true: 最低工资标准为示例值，文号待核实")
    below_minimum_count: int = Field(description="低于最低工资标准的人数")
    status: PayrollStatus = Field(description="recorded 已登记 / cancelled 已撤销")
    cancelled_date: date | None
    cancel_reason: str | None
    created_at: datetime


class Payroll(Base, table=True):
    __tablename__ = "payrolls"
    # One recorded payroll per project and month (a cancelled one may be recorded again).
    __table_args__ = (
        Index("uq_payroll_project_month", "project_id", "month", unique=True,
              sqlite_where=text("status = 'recorded'"), postgresql_where=text("status = 'recorded'")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    project_id: str = DbField(max_length=36, index=True, foreign_key="projects.id")
    credit_code: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    month: str = DbField(max_length=7, index=True)
    paid_date: date = DbField(index=True)
    online: bool
    workers: list[dict[str, Any]] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    worker_count: int
    total_amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    minimum_wage: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    minimum_wage_source: str = DbField(max_length=500)
    illustrative: bool = False
    below_minimum_count: int = 0
    status: str = DbField(default=PayrollStatus.recorded, max_length=10, index=True)
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=500)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None


class MissedPayrollPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    project_id: str
    credit_code: str
    county_code: str
    month: str = Field(description="未发薪的工资月份")
    pay_by_date: date = Field(description="最迟发放日期")
    detected_date: date
    policy_source: str
    illustrative: bool


class MissedPayroll(Base, table=True):
    __tablename__ = "missed_payrolls"
    __table_args__ = (Index("uq_missed_payroll_project_month", "project_id", "month", unique=True),)

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    project_id: str = DbField(max_length=36, foreign_key="projects.id")
    credit_code: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    month: str = DbField(max_length=7)
    pay_by_date: date
    detected_date: date = DbField(index=True)
    policy_source: str = DbField(max_length=500)
    illustrative: bool = False
    created_at: datetime = DbField(default_factory=clock.now)
