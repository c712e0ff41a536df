"""Events of key-group membership on ``hrss.employment``."""

from datetime import date

from pydantic import BaseModel

KEY_GROUP_ADDED = "hrss.employment.key_group.added.v1"
KEY_GROUP_ENDED = "hrss.employment.key_group.ended.v1"


class KeyGroupAdded(BaseModel):
    """实名制 a person was recognised as a member of a key group."""

    id: str
    id_number: str
    group: str
    source: str
    start_date: date
    end_date: date | None = None
    county_code: str


class KeyGroupEnded(BaseModel):
    """A key-group membership ended."""

    id: str
    id_number: str
    group: str
    end_date: date
