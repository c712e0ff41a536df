"""Events of the 131 service on ``hrss.employment``."""

from datetime import date

from pydantic import BaseModel

SERVICE_RECORD_RECORDED = "hrss.employment.service_record.recorded.v1"


class ServiceRecordRecorded(BaseModel):
    """失业人员“131”服务 one service (职业指导 / 岗位推荐 / 培训推荐) was given to a registered unemployed person."""

    id: str
    id_number: str
    county_code: str
    unemployment_registration_id: str
    kind: str
    service_date: date
    staff: str
    agency: str | None = None
    job_posting_id: str | None = None
