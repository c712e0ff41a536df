"""批量写入 bulk paths of the labour-relations service: the request rows (the single-record create models, so the
same input rules hold) and the answer (:class:`hrss_shared.bulk.BulkReport` with the rows the rules refused)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hrss_shared.bulk import BulkReport
from labour_relations.cases.models import CaseCreate
from labour_relations.projects.models import ProjectCreate

MAX_ROWS = 20_000  # rows per request


class ProjectRows(BaseModel):
    rows: list[ProjectCreate] = Field(min_length=1, max_length=MAX_ROWS, description="在建工程项目 projects")


class CaseRows(BaseModel):
    rows: list[CaseCreate] = Field(min_length=1, max_length=MAX_ROWS, description="欠薪案件 wage-arrears cases")


class Refusal(BaseModel):
    row: int = Field(ge=0, description="被拒绝行的序号，从 0 起 (index of the refused row in ``rows``)")
    reason: str = Field(description="拒绝原因 (the rule the row breaks, as the single-record path words it)")


class BulkLoadReport(BulkReport):
    """The bulk answer: ``received = written + skipped + len(refused)``."""

    refused: list[Refusal] = Field(default_factory=list, description="按规则拒绝、未写入的行 (rows refused)")
