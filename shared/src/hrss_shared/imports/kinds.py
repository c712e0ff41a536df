"""What a service declares for each kind of row it imports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.auth import Principal
from hrss_shared.outbox import Outbox


class ApplyRow(Protocol):
    """Write one valid row exactly as the single-record endpoint would (flush, never commit; publish its events
    through ``outbox``) and return the id of the record it created (at most 36 characters, the width of
    ``import_acceptances.record_id``). A refusal is a
    :class:`hrss_shared.problems.ProblemError`, reported for the row with its status."""

    async def __call__(
        self, *, session: AsyncSession, outbox: Outbox, principal: Principal, data: Any, extra: Any | None,
    ) -> str: ...


@dataclass(frozen=True)
class RowPart:
    """An optional part of a row, checked by a model of its own and present when any of its columns is filled.

    ``columns`` maps the model's fields to the file's columns (employment: ``Termination`` with
    ``{"end_date": "end_date", "reason": "termination_reason"}`` for a registration that has already ended);
    an error on a field is reported under its column's name.
    """

    model: type[BaseModel]
    columns: Mapping[str, str]


@dataclass(frozen=True)
class ImportKind:
    """One kind of row: every row of an import file is of the kind the ``kind`` query parameter names.

    * ``name`` — the ``kind`` value (also stored in ``imports.kind``; at most 40 characters);
    * ``label`` — what bureau staff call it (就业登记);
    * ``row_model`` — the single-record endpoint's request model: the file's columns are its fields, the
      required ones must be in a CSV header, and its validation errors are the row's reasons;
    * ``apply`` — see :class:`ApplyRow`; it gets the validated row as ``data`` and the validated ``extra`` part
      (or None when the row has none);
    * ``county_field`` — the field named when the row is refused (403) for another county than the client's;
    * ``extra`` — an optional :class:`RowPart`;
    * ``id_field`` — the row value echoed in a rejection's ``id_number`` (masked without pii:read), if any.
    """

    name: str
    label: str
    row_model: type[BaseModel]
    apply: ApplyRow
    county_field: str | None = None
    extra: RowPart | None = None
    id_field: str | None = "id_number"

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= 40:
            raise ValueError(f"import kind name {self.name!r} must have 1 to 40 characters")

    @property
    def required(self) -> frozenset[str]:
        """Columns a CSV header must name."""
        return frozenset(name for name, f in self.row_model.model_fields.items() if f.is_required())

    @property
    def columns(self) -> frozenset[str]:
        """Columns a CSV header may name."""
        extra = frozenset(self.extra.columns.values()) if self.extra is not None else frozenset()
        return frozenset(self.row_model.model_fields) | extra
