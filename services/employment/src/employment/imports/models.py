"""批量导入 bulk imports of employment and unemployment registrations, and their per-row reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Index
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_shared import clock
from hrss_shared.paging import Page
from hrss_shared.privacy import FreeText, PersonIdNumber


class ImportKind(StrEnum):
    employment_registration = "employment_registration"  # 就业登记
    unemployment_registration = "unemployment_registration"  # 失业登记


class ImportStatus(StrEnum):
    running = "running"
    completed = "completed"


class ImportPublic(BaseModel):
    id: str
    kind: ImportKind
    status: ImportStatus = Field(
        description="running 处理中 / completed 已完成; an import that stays running with no progress "
        "(updated_at) was interrupted by a restart: rows up to processed are applied and reported, the rest are not"
    )
    submitted_by: str = Field(description="提交的客户端 client id")
    county_code: str | None = Field(description="提交客户端所限县（市、区）; null for city-wide clients")
    received_at: datetime
    updated_at: datetime = Field(description="最后一行处理时间 time of the last processed row")
    finished_at: datetime | None
    total: int = Field(description="数据行数 data rows in the file")
    processed: int = Field(description="已处理行数 rows processed so far (accepted + rejected)")
    accepted: int = Field(description="导入成功行数")
    rejected: int = Field(description="被拒绝行数")


class RejectionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int = Field(description="文件行号 (1-based; a CSV file's header is line 1)")
    field: str | None = Field(description="出错字段; null when the row as a whole is malformed")
    reason: str = Field(description="拒绝原因, the same reason the single-record endpoint gives")
    status: int = Field(description="单条登记接口会返回的 HTTP 状态 (422 invalid, 409 conflict, 403 other county)")
    id_number: PersonIdNumber | None = Field(description="该行的公民身份号码 as written in the file")
    raw: FreeText = Field(description="原始行内容 (truncated; ID numbers in it masked without pii:read)")


class ImportReport(ImportPublic):
    rejections: Page[RejectionPublic] = Field(description="被拒绝的行 rejected rows, by line, paged")


class AcceptancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    record_id: str = Field(description="新建登记的 id")


class Import(Base, table=True):
    __tablename__ = "imports"

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    kind: str = DbField(max_length=40)
    submitted_by: str = DbField(max_length=100, index=True)
    county_code: str | None = DbField(default=None, max_length=6, index=True)
    content_type: str = DbField(max_length=40)
    received_at: datetime = DbField(default_factory=clock.now, index=True)
    updated_at: datetime = DbField(default_factory=clock.now)
    finished_at: datetime | None = None
    status: str = DbField(default=ImportStatus.running, max_length=12, index=True)
    total: int = 0
    accepted: int = 0
    rejected: int = 0


class ImportRejection(Base, table=True):
    __tablename__ = "import_rejections"
    __table_args__ = (Index("ix_import_rejections_import_line", "import_id", "line"),)

    id: int | None = DbField(default=None, primary_key=True)
    import_id: str = DbField(max_length=36, foreign_key="imports.id")
    line: int
    field: str | None = DbField(default=None, max_length=100)
    reason: str = DbField(max_length=500)
    status: int
    id_number: str | None = DbField(default=None, max_length=40)
    raw: str = DbField(max_length=500)


class ImportAcceptance(Base, table=True):
    __tablename__ = "import_acceptances"
    __table_args__ = (Index("ix_import_acceptances_import_line", "import_id", "line"),)

    id: int | None = DbField(default=None, primary_key=True)
    import_id: str = DbField(max_length=36, foreign_key="imports.id")
    line: int
    record_id: str = DbField(max_length=36)
