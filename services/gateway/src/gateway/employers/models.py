"""Read-model index tables of the employer view (nothing here is authoritative; all are rebuilt from the topics).

The employer's own records (profile, postings, projects, payrolls, bases, the dishonesty list) are documents in
``employer_sections``. What the employer view and the bureau's lists must find by SQL — the employees of an
employer (their events are about persons), its contributions (about persons), its wage-arrears cases and
warnings (listed across employers by county, deadline and level) — is kept here, one row per source record, keyed
by the record's id so a redelivered event changes nothing and a correction that names another employer moves the
row. ``updated_at`` is the time (UTC ISO string, see ``gateway.readmodel.store.stamp``) of the newest event applied
to a row; ``"9999"`` marks a cancelled record no later event changes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric, Text
from sqlmodel import Field

from gateway.db import Base


class EmployerDirectory(Base, table=True):
    """用人单位名录: each employer's name and county as its newest employer event left them."""

    __tablename__ = "employer_directory"

    credit_code: str = Field(primary_key=True, max_length=18)
    name: str | None = None
    county_code: str | None = Field(default=None, max_length=6, index=True)
    updated_at: str = Field(max_length=40)


class EmployerEmployee(Base, table=True):
    """One employment registration (就业登记) at an employer; current while not ended before today."""

    __tablename__ = "employer_employees"
    __table_args__ = (Index("ix_employer_employees_credit_code_end_date", "credit_code", "end_date"),)

    id: str = Field(primary_key=True, max_length=64, description="就业登记 id")
    credit_code: str = Field(max_length=18)
    id_number: str = Field(max_length=18, index=True)
    name: str | None = None
    occupation: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: str = Field(max_length=12, description="active / terminated")
    updated_at: str = Field(max_length=40)


class EmployerContribution(Base, table=True):
    """One contribution (缴费记录) paid by an employer, amounts in fen so sums are exact."""

    __tablename__ = "employer_contributions"
    __table_args__ = (Index("ix_employer_contributions_credit_code_month", "credit_code", "month"),)

    id: str = Field(primary_key=True, max_length=64)
    credit_code: str | None = Field(default=None, max_length=18, description="none: paid by the person")
    id_number: str = Field(max_length=18)
    insurance_type: str = Field(max_length=20)
    month: str = Field(max_length=7)
    employer_fen: int
    personal_fen: int
    cancelled: bool = False
    updated_at: str = Field(max_length=40)


class EmployerCase(Base, table=True):
    """One wage-arrears case (欠薪案件) as its newest event left it (a cancellation is final)."""

    __tablename__ = "employer_cases"
    __table_args__ = (Index("ix_employer_cases_status_deadline_date", "status", "deadline_date"),)

    id: str = Field(primary_key=True, max_length=64)
    credit_code: str = Field(max_length=18, index=True)
    employer_name: str
    county_code: str = Field(max_length=6, index=True)
    project_id: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=20)
    filed_date: date
    accepted_date: date | None = None
    deadline_date: date | None = None
    deadline_provisional: bool = False
    extended: bool = False
    concluded_date: date | None = None
    on_time: bool | None = None
    workers_affected: int
    group_case: bool
    amount_owed: Decimal = Field(sa_column=Column(Numeric(14, 2), nullable=False))
    amount_recovered: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    updated_at: str = Field(max_length=40)
    as_of: str = Field(max_length=40, description="the newest event's time, also for a cancelled case")


class EmployerWarning(Base, table=True):
    """One arrears warning (欠薪预警) from its raised and cleared events (cleared is final)."""

    __tablename__ = "employer_warnings"
    __table_args__ = (Index("ix_employer_warnings_status_level", "status", "level"),)

    id: str = Field(primary_key=True, max_length=64)
    credit_code: str = Field(max_length=18, index=True)
    county_code: str | None = Field(default=None, max_length=6, description="the warning's county when it names one")
    status: str = Field(max_length=12, description="open / cleared")
    score: float | None = None
    threshold: float | None = None
    level: str | None = Field(default=None, max_length=12)
    raised_date: date | None = None
    cleared_date: date | None = None
    cleared_score: float | None = None
    signals: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    policy_source: str | None = None
    illustrative: bool = False
    updated_at: str = Field(max_length=40)


TABLES = ["employer_directory", "employer_employees", "employer_contributions", "employer_cases", "employer_warnings"]
