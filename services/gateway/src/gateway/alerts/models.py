"""政策监管 policy-supervision alerts: the facts the rules look at, the alerts they raise, staff actions on them.

``alert_facts`` and ``alerts`` are read models (rebuilt from the domain topics: see :data:`gateway.alerts.TABLES`).
``alert_actions`` holds what bureau staff did (acknowledge, resolve): not a read model, untouched by a rebuild, and
keyed by the alert's deterministic id so a rebuilt alert finds its actions again.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field as SQLField

from gateway.db import Base
from hrss_shared.privacy import FreeText, PersonIdNumber
from hrss_shared.text import free_text

# kind -> what the generic columns hold for it (documentation for readers of the table)
FACT_KINDS: dict[str, str] = {
    "employment": "就业登记: id_number, credit_code, county, start_date, end_date (terminated), status "
                  "active/terminated",
    "unemployment": "失业登记: id_number, county, start_date = registered date, end_date = closure date, status "
                    "open/closed/cancelled",
    "benefit": "失业保险金核定: id_number, county, start_date/end_date of the entitlement, status",
    "benefit_payment": "失业保险金发放: id_number, county, month, start_date = paid date, detail.benefit_id",
    "contribution": "缴费记账: id_number, credit_code (empty: personal), county, month, detail.insurance_type/kind, "
                    "status posted/cancelled",
    "enrolment": "参保登记: id_number, credit_code, county, start_date = covered from (activation, or recording of an "
                 "active registration), detail.insurance_type, status",
    "subsidy": "培训补贴核发: id_number, county, start_date = granted date, detail occupation_code/level/institution, "
               "status granted/revoked",
    "subsidy_refused": "培训补贴不予核发: id_number, county, start_date = refused date, detail reason/occupation/level",
    "training_enrolment": "培训报名: id_number, credit_code = the institution, detail.institution_id",
    "dishonest": "失信联合惩戒名单: credit_code, county, start_date = decision date, end_date = removed date",
    "employer_benefit": "单位享受的扶持: credit_code, county, start_date = the day it was received, detail.what "
                        "(startup_loan / startup_subsidy / public_welfare_post / training_base)",
    "payroll_below_minimum": "低于最低工资标准的工资发放: credit_code, county, month, detail minimum wage, source, "
                             "illustrative, workers; status flagged/cancelled",
    "placement": "公益性岗位安置: id_number, credit_code, county, start_date, end_date = the agreed end or the exit "
                 "date, detail.groups, status placed/ended",
    "key_group": "重点群体认定: id_number, county, start_date, end_date, detail.group",
    "talent_payment": "人才政策兑现发放: id_number, county, month = period, start_date = paid date, detail after_stop",
}


class AlertFact(Base, table=True):
    """One source record a rule looks at (see :data:`FACT_KINDS`), with the events that prove it."""

    __tablename__ = "alert_facts"
    __table_args__ = (
        Index("ix_alert_facts_id_number_kind", "id_number", "kind"),
        Index("ix_alert_facts_credit_code_kind", "credit_code", "kind"),
        Index("ix_alert_facts_kind_checked_start", "kind", "checked", "start_date"),
    )

    kind: str = SQLField(primary_key=True, max_length=24)
    record_id: str = SQLField(primary_key=True, max_length=64)
    id_number: str | None = SQLField(default=None, max_length=18)
    credit_code: str | None = SQLField(default=None, max_length=18)
    county_code: str | None = SQLField(default=None, max_length=6)
    start_date: date | None = None
    end_date: date | None = None
    month: str | None = SQLField(default=None, max_length=7)
    status: str = SQLField(max_length=20)
    detail: str = SQLField(default="{}", sa_column=Column(Text, nullable=False))  # JSON object
    evidence: str = SQLField(default="[]", sa_column=Column(Text, nullable=False))  # JSON list of [topic, id, type]
    event_time: datetime  # the newest event applied: an older one does not overwrite what a newer one set
    checked: bool = False  # employment: the daily coverage-gap check has looked at it


class Alert(Base, table=True):
    """An alert a rule raised; its id is a hash of rule, subject and evidence key, so a rebuild finds the same ids."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_rule_subject", "rule", "subject"),
        Index("ix_alerts_detected_date", "detected_date"),
        Index("ix_alerts_county_code", "county_code"),
        Index("ix_alerts_id_number", "id_number"),
    )

    id: str = SQLField(primary_key=True, max_length=32)
    rule: str = SQLField(max_length=40)
    subject: str = SQLField(max_length=18)
    evidence_key: str = SQLField(max_length=200)
    id_number: str | None = SQLField(default=None, max_length=18)
    credit_code: str | None = SQLField(default=None, max_length=18)
    county_code: str | None = SQLField(default=None, max_length=6)
    summary: str = SQLField(sa_column=Column(Text, nullable=False))
    detail: str = SQLField(default="{}", sa_column=Column(Text, nullable=False))  # JSON object
    evidence: str = SQLField(default="[]", sa_column=Column(Text, nullable=False))  # JSON list of [topic, id, type]
    detected_at: datetime
    detected_date: date  # detected_at's day in Beijing time (the list's date filter)
    retracted: bool = False  # the facts that raised it were corrected or cancelled
    retracted_at: datetime | None = None


class AlertAction(Base, table=True):
    """A staff action on an alert (确认 acknowledge / 处理完毕 resolve), with its note; each at most once."""

    __tablename__ = "alert_actions"
    __table_args__ = (UniqueConstraint("alert_id", "action", name="uq_alert_actions_alert_id_action"),)

    id: int | None = SQLField(default=None, primary_key=True)
    alert_id: str = SQLField(max_length=32, index=True)
    action: str = SQLField(max_length=12)
    note: str = SQLField(sa_column=Column(Text, nullable=False))
    by: str = SQLField(max_length=100)
    at: datetime


# ---- API ---------------------------------------------------------------------------------------------------------


class AlertStatus(StrEnum):
    open = "open"  # 待处理
    acknowledged = "acknowledged"  # 已确认
    resolved = "resolved"  # 已处理
    retracted = "retracted"  # 已撤回（来源记录更正或撤销）


class EvidencePublic(BaseModel):
    topic: str = Field(description="主题 topic")
    id: str = Field(description="事件 id (CloudEvents id)")
    type: str = Field(description="事件类型 event type")


class NotePublic(BaseModel):
    action: Literal["acknowledge", "resolve"] = Field(description="acknowledge 确认 / resolve 处理完毕")
    note: FreeText = Field(description="说明")
    by: str = Field(description="操作客户端 client id")
    at: datetime


class AlertPublic(BaseModel):
    id: str = Field(description="预警 id（规则 + 对象 + 证据键 的散列，重建后不变）")
    rule: str = Field(description="规则代码")
    rule_name: str = Field(description="规则名称")
    county_code: str | None = Field(description="县（市、区）代码")
    id_number: PersonIdNumber | None = Field(description="公民身份号码（无 pii:read 时脱敏）")
    credit_code: str | None = Field(description="单位统一社会信用代码")
    summary: FreeText = Field(description="中文说明")
    status: AlertStatus = Field(description="open 待处理 / acknowledged 已确认 / resolved 已处理 / retracted 已撤回")
    detected_at: datetime = Field(description="发现时间（证明事件中最新者的时间）")
    detail: dict[str, Any] = Field(description="规则的细节（如最低工资标准及其依据、是否示例值）")
    evidence: list[EvidencePublic] = Field(description="证明该预警的事件 (topic, id, type)")
    notes: list[NotePublic] = Field(description="确认与处理记录")


class ActionBody(BaseModel):
    note: Annotated[str, free_text(1000, label="说明")] = Field(description="说明（必填，至多1000字）")


class ThresholdPublic(BaseModel):
    value: Any = Field(description="取值")
    source: str | None = Field(description="依据")
    illustrative: bool = Field(description="true: 示例值，无官方文号")


class RulePublic(BaseModel):
    rule: str = Field(description="规则代码")
    rule_name: str = Field(description="规则名称")
    enabled: bool = Field(description="是否启用（停用的规则不产生新预警）")
    description: str = Field(description="规则说明")
    thresholds: dict[str, ThresholdPublic] = Field(description="阈值及其依据")
    source: str = Field(description="规则依据")
    illustrative: bool = Field(description="true: 规则或阈值为平台示例，无官方文号")
    effective_from: date = Field(description="生效日期（所在版本）")
    effective_to: date | None = Field(description="失效日期（所在版本）")
    applies_from: date | None = Field(description="仅对该日及以后的事实适用（空 = 不限）")
