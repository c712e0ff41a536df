"""Events of 公益性岗位 on ``hrss.employment``: posts (subject = credit code) and placements (subject = ID number)."""

from datetime import date

from pydantic import BaseModel

from hrss_shared.money import Money

PUBLIC_WELFARE_POST_CREATED = "hrss.employment.public_welfare_post.created.v1"
PUBLIC_WELFARE_PLACEMENT_STARTED = "hrss.employment.public_welfare_placement.started.v1"
PUBLIC_WELFARE_PLACEMENT_ENDED = "hrss.employment.public_welfare_placement.ended.v1"


class PublicWelfarePostCreated(BaseModel):
    """公益性岗位开发 a post was created by an employer or agency."""

    id: str
    credit_code: str
    employer_name: str
    title: str
    county_code: str
    monthly_subsidy: Money
    positions: int
    start_date: date
    end_date: date


class PublicWelfarePlacementStarted(BaseModel):
    """公益性岗位安置 a key-group member was placed on a post."""

    id: str
    post_id: str
    id_number: str
    name: str
    credit_code: str
    county_code: str
    groups: list[str]
    start_date: date
    end_date: date
    monthly_subsidy: Money
    policy_source: str


class PublicWelfarePlacementEnded(BaseModel):
    """公益性岗位退出 a placement ended."""

    id: str
    post_id: str
    id_number: str
    credit_code: str
    county_code: str
    ended_date: date
    reason: str
