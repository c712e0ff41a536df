"""更正 and 撤销 of a record entered wrongly: the request shape and applying the fields sent.

A correction model subclasses :class:`Correction` (a required ``reason``, and at least one other field sent);
its fields default to None and are refused as null (``hrss_shared.validators.not_null``), so a field left out
stays as it is. :func:`apply_changes` writes the fields that differ and names them for the event, or answers
409 when nothing would change. :class:`Cancellation` is the body of a 撤销.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, model_validator

from hrss_shared.problems import Conflict
from hrss_shared.text import short_text

Reason = Annotated[str, short_text(200, label="原因")]


class Correction(BaseModel):
    """Base of a 更正 request: the reason, and the fields to change (declared by the subclass)."""

    reason: Reason = Field(description="更正原因")

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not (self.model_fields_set - {"reason"}):
            raise ValueError("未提供需更正的字段 (no field to correct; send at least one field besides reason)")
        return self

    def sent(self) -> dict[str, Any]:
        """The fields sent, without the reason."""
        return self.model_dump(exclude={"reason"}, exclude_unset=True)


class Cancellation(BaseModel):
    reason: Reason = Field(description="撤销原因")


def apply_changes(
    row: Any, sent: Mapping[str, Any], *, stored: Callable[[str, Any], Any] = lambda _key, value: value
) -> list[str]:
    """Set on ``row`` the fields of ``sent`` whose stored form (``stored(key, value)``) differs from the row's;
    the names changed, sorted. Nothing to change is a 409 naming ``reason``."""
    changed = sorted(key for key, value in sent.items() if getattr(row, key) != stored(key, value))
    if not changed:
        raise Conflict("更正内容与现有记录相同 (the correction changes nothing)", field_name="reason")
    for key in changed:
        setattr(row, key, stored(key, sent[key]))
    return changed
