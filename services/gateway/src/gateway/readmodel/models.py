"""Read-model tables built from events (nothing here is authoritative)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import JSON, Column, Field

from gateway.db import Base


class PersonView(Base, table=True):
    """One row per person seen in any event; sections keep their own ``as_of``."""

    __tablename__ = "person_view"

    id_number: str = Field(primary_key=True, max_length=18)
    name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=11)
    county_code: str | None = Field(default=None, max_length=6, index=True)
    job_seeker_registered_date: date | None = None
    identity_as_of: datetime | None = None
    employment_as_of: datetime | None = None


class EmployerView(Base, table=True):
    __tablename__ = "employer_view"

    credit_code: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    county_code: str = Field(max_length=6, index=True)
    industry: str | None = Field(default=None, max_length=100)
    is_construction: bool = False
    status: str = Field(default="active", max_length=12)
    deactivated_date: date | None = None
    as_of: datetime


class EmploymentView(Base, table=True):
    """就业登记 as the gateway knows it; a terminated row never goes back to active."""

    __tablename__ = "employment_view"

    id: str = Field(primary_key=True, max_length=36)
    id_number: str = Field(max_length=18, index=True)
    credit_code: str = Field(max_length=18, index=True)
    employer_name: str | None = Field(default=None, max_length=200)
    county_code: str | None = Field(default=None, max_length=6, index=True)
    occupation: str | None = Field(default=None, max_length=100)
    start_date: date | None = None
    end_date: date | None = None
    status: str = Field(max_length=12)
    termination_reason: str | None = Field(default=None, max_length=200)
    updated_at: datetime


class UnemploymentView(Base, table=True):
    __tablename__ = "unemployment_view"

    id: str = Field(primary_key=True, max_length=36)
    id_number: str = Field(max_length=18, index=True)
    county_code: str | None = Field(default=None, max_length=6, index=True)
    registered_date: date | None = None
    end_date: date | None = None
    reason: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=12)
    close_reason: str | None = Field(default=None, max_length=200)
    updated_at: datetime


class DomainFact(Base, table=True):
    """One record of a domain (a key-group membership, a 131 service, a loan …) as its events left it.

    Keyed by the record's ``kind`` and id; ``subject`` is the person's ID number or the employer's
    credit code the events were about. ``data`` merges the fields of every event of the record.
    """

    __tablename__ = "domain_facts"

    id: str = Field(primary_key=True, max_length=120)
    subject: str = Field(max_length=18, index=True)
    kind: str = Field(max_length=60, index=True)
    status: str = Field(max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime
