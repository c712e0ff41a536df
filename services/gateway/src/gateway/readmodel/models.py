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
