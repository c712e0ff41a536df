"""/v1/imports — bulk imports 批量导入 of 就业登记 / 失业登记 (``hrss_shared.imports.imports_router``)."""

from employment.imports.models import tables
from employment.imports.service import KINDS
from hrss_shared.imports import imports_router
from hrss_shared.registry import EMPLOYMENT

_POST_DESCRIPTION = """批量导入就业登记或失业登记 (bulk registration import).

* `kind` names the kind of every row in the file (`employment_registration` 就业登记 or
  `unemployment_registration` 失业登记); the file has no `kind` column.
* CSV (`text/csv`, UTF-8 or the `charset` the Content-Type names, header row first) or JSON lines
  (`application/x-ndjson` / `application/jsonl`). Columns are the single-record endpoint's body fields
  (就业登记: [employment columns]; 失业登记: [unemployment columns]), plus optionally `end_date` with
  `termination_reason` (就业登记) or `close_reason` (失业登记) for a registration that has already ended.
  A CSV header with an unknown or missing required column refuses the whole file (422).
* Each row is checked and written exactly as `POST /v1/employment-registrations` (or
  `/v1/unemployment-registrations`) would, in file order, and stands alone: a rejected row writes
  nothing and is reported with its line number (CSV header = line 1; JSON lines from 1), field, reason and
  the status the single-record endpoint would answer (422, 409, or 403 for another county's row when the
  client is limited to a county). Each accepted row publishes that endpoint's events; the import itself
  publishes none.
* Answers 202 at once with the import's id and `Location`; rows are applied in the background.
  `GET /v1/imports/{id}` shows progress (`processed` of `total`). Progress commits together with the rows
  (in batches of up to 200 rows or half a second), so an import interrupted by a restart stays `running`
  with `processed` < `total` and no further `updated_at`: rows up to `processed` were applied or rejected
  as reported, the rest were not applied — import those again.
* Body limit 20 MB (413).
"""


def _columns(kind: str) -> str:
    """The columns of ``kind``, from its row model (so the description follows the model)."""
    model = next(k.row_model for k in KINDS if k.name == kind)
    return ", ".join(model.model_fields)


_POST_DESCRIPTION = _POST_DESCRIPTION.replace("[employment columns]", _columns("employment_registration")).replace(
    "[unemployment columns]", _columns("unemployment_registration"))

router = imports_router(
    KINDS,
    tables=tables,
    read_scope=f"{EMPLOYMENT.scope_domain}:read",
    write_scope=f"{EMPLOYMENT.scope_domain}:write",
    record=("登记", "registration"),
    summary="批量导入就业/失业登记 Bulk import",
    description=_POST_DESCRIPTION,
    kind_description="登记类别 kind of every row",
    csv_example=(
        "id_number,name,credit_code,start_date,occupation\n"
        "330802197505170019,王小明,91330802123456789L,2026-03-01,车工\n"
    ),
)
