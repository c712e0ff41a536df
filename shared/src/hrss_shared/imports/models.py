"""Response models of the import endpoints, built per service (its kinds are an enum in its OpenAPI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from hrss_shared.imports.kinds import ImportKind
from hrss_shared.imports.tables import ImportJob, ImportStatus
from hrss_shared.paging import Page
from hrss_shared.privacy import FreeText, PersonIdNumber


class _ImportPublic(BaseModel):
    id: str
    kind: str
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


class _RejectionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int = Field(description="文件行号 (1-based; a CSV file's header is line 1)")
    field: str | None = Field(description="出错字段; null when the row as a whole is malformed")
    reason: str = Field(description="拒绝原因, the same reason the single-record endpoint gives")
    status: int
    id_number: PersonIdNumber | None = Field(description="该行的公民身份号码 as written in the file")
    raw: FreeText = Field(description="原始行内容 (truncated; ID numbers in it masked without pii:read)")


class _AcceptancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    record_id: str


@dataclass(frozen=True)
class ImportModels:
    """A service's ``ImportKind`` enum and response models (named as in every service's OpenAPI)."""

    kind: type[StrEnum]
    public: type[BaseModel]
    report: type[BaseModel]
    rejection: type[BaseModel]
    acceptance: type[BaseModel]

    def of(self, job: ImportJob, **more: Any) -> Any:
        """The answer for one import (``public``, or ``report`` with ``rejections=``)."""
        model = self.report if more else self.public
        return model(
            id=job.id, kind=self.kind(job.kind), status=ImportStatus(job.status), submitted_by=job.submitted_by,
            county_code=job.county_code, received_at=job.received_at, updated_at=job.updated_at,
            finished_at=job.finished_at, total=job.total, processed=job.accepted + job.rejected,
            accepted=job.accepted, rejected=job.rejected, **more,
        )


def import_models(kinds: list[ImportKind], record: tuple[str, str]) -> ImportModels:
    """The models for ``kinds``; ``record`` names what a row creates, in Chinese and English (登记, registration)."""
    kind_enum = StrEnum("ImportKind", [(k.name, k.name) for k in kinds])  # type: ignore[misc]
    public = create_model("ImportPublic", __base__=_ImportPublic, kind=(kind_enum, ...))
    rejection = create_model(
        "RejectionPublic", __base__=_RejectionPublic,
        status=(int, Field(
            description=f"单条{record[0]}接口会返回的 HTTP 状态 (422 invalid, 409 conflict, 403 other county)")),
    )
    acceptance = create_model(
        "AcceptancePublic", __base__=_AcceptancePublic, record_id=(str, Field(description=f"新建{record[0]}的 id")),
    )
    report = create_model(
        "ImportReport", __base__=public,
        rejections=(Page[rejection], Field(description="被拒绝的行 rejected rows, by line, paged")),
    )
    for model in (public, rejection, acceptance, report):
        model.__module__ = __name__
    return ImportModels(kind=kind_enum, public=public, report=report, rejection=rejection, acceptance=acceptance)
