"""Read-model tables built from events (nothing here is authoritative).

Each table holds documents shaped like the answers the gateway serves: one JSON document per subject and
section, so the person view is a key look-up of a few rows, not a join per section.
"""

from __future__ import annotations

from sqlalchemy import Column, Text
from sqlmodel import Field

from gateway.db import Base


class PersonSection(Base, table=True):
    """One section (identity, employment, training, insurance, labour) of one person's 一卡通 view."""

    __tablename__ = "person_sections"
    # Clustered by (id_number, section) on SQLite: a person's sections are one B-tree range, read in one seek.
    __table_args__ = {"sqlite_with_rowid": False}

    id_number: str = Field(primary_key=True, max_length=18)
    section: str = Field(primary_key=True, max_length=20)
    doc: str = Field(sa_column=Column(Text, nullable=False))


class EmployerSection(Base, table=True):
    """One section (profile, employment …) of one employer's view."""

    __tablename__ = "employer_sections"
    __table_args__ = {"sqlite_with_rowid": False}

    credit_code: str = Field(primary_key=True, max_length=18)
    section: str = Field(primary_key=True, max_length=20)
    doc: str = Field(sa_column=Column(Text, nullable=False))


class PersonCard(Base, table=True):
    """社会保障卡卡号索引: each card number the read model has seen, its holder and the card's status, so the person
    view finds a person by card number in one key look-up. Only a valid card (active 正常 or lost 挂失) finds its
    holder; a replaced or cancelled card's number stays here with status ``cancelled`` and finds no one."""

    __tablename__ = "person_cards"

    card_number: str = Field(primary_key=True, max_length=20)
    id_number: str = Field(max_length=18, index=True)
    status: str = Field(max_length=12)


class PersonViewRendered(Base, table=True):
    """成品人员视图: each person's 一卡通 view as the API answers it, serialised when the person's sections or alerts
    change (in the transaction that changes them), so a read is one key look-up of finished bytes.

    ``masked`` is the answer for a client without ``pii:read``, ``unmasked`` the one for a client with it; ``shown`` the
    personal data ``unmasked`` discloses (``{"kinds": [...], "subjects": [...]}``), which the read's audit records.
    ``policy_from`` is the start of the alert policy version the alerts' names were taken from: a read on a day of
    another version serves the view assembled live instead, until the view job has rendered it again."""

    __tablename__ = "person_views"

    id_number: str = Field(primary_key=True, max_length=18)
    county_code: str | None = Field(default=None, max_length=6)
    policy_from: str = Field(max_length=10, index=True)  # the job finds the views of an older version by it
    masked: str = Field(sa_column=Column(Text, nullable=False))
    unmasked: str = Field(sa_column=Column(Text, nullable=False))
    shown: str = Field(sa_column=Column(Text, nullable=False))


class PersonViewPending(Base, table=True):
    """待生成的人员视图: persons whose finished view a large transaction (a replay, a bulk load) removed instead of
    rendering; ``gateway.persons.rendered``'s job renders them once the catch-up is over (reads meanwhile assemble
    the view live)."""

    __tablename__ = "person_views_pending"

    id_number: str = Field(primary_key=True, max_length=18)
