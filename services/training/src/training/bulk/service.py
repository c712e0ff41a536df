"""批量写入 职业技能等级证书: the rules of ``training.certificates`` applied set-based (the synthetic city, large
loads).

- Natural key: the certificate number. A number already recorded for the same holder is skipped (a load can run
  again and writes nothing new); one recorded for someone else is refused, as the single-record path answers 409.
- A row naming an enrolment is refused unless that enrolment is the holder's, completed as 合格, in the same
  occupation (the single-record path's 422 on ``enrolment_id``).
- A county-limited client's rows of another county are refused (the single-record path's 403).
- Every row written publishes ``hrss.training.certificate.issued.v1`` with the same data as the single-record path
  (:func:`training.certificates.service.issued_event`), in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, insert, select
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import CERTIFICATE_ISSUED
from hrss_shared.auth import Principal
from hrss_shared.bulk import BulkReport, Refusal, chunks, staged, table_of
from hrss_shared.outbox import Outbox
from training.certificates import service as certificates
from training.certificates.models import Certificate, CertificateCreate
from training.enrolments.models import Enrolment

IN_CHUNK = 1000  # ids per ``IN (…)`` lookup


def number_taken(number: str, existing_id: str | None = None) -> str:
    where = f"（证书记录 {existing_id}）" if existing_id else "（本批中已有另一持证人）"
    return f"证书编号 {number} 已登记{where} (certificate number already recorded for another holder)"


async def _enrolments(session: AsyncSession, ids: set[str]) -> dict[str, Enrolment]:
    found: dict[str, Enrolment] = {}
    for part in chunks(sorted(ids), IN_CHUNK):
        for enrolment in (await session.exec(model_select(Enrolment).where(col(Enrolment.id).in_(part)))).all():
            found[enrolment.id] = enrolment
    return found


async def load_certificates(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                            rows: list[CertificateCreate]) -> BulkReport:
    """Write the rows the rules accept with one ``INSERT … SELECT`` from a staging table; one event per row written."""
    refused: list[Refusal] = []
    skipped = 0
    candidates: dict[str, tuple[int, Certificate]] = {}  # by certificate number: its first row
    enrolments = await _enrolments(session, {r.enrolment_id for r in rows if r.enrolment_id is not None})
    for i, data in enumerate(rows):
        reason = principal.county_problem(data.county_code)
        if reason is None and data.certificate_number in candidates:
            if candidates[data.certificate_number][1].id_number == data.id_number:
                skipped += 1  # the same certificate twice in one request
                continue
            reason = number_taken(data.certificate_number)
        if reason is not None:
            refused.append(Refusal(row=i, reason=reason))
            continue
        if data.enrolment_id is not None and (
                problem := certificates.enrolment_problem(data, enrolments.get(data.enrolment_id))) is not None:
            refused.append(Refusal(row=i, field="enrolment_id", reason=problem.detail))
            continue
        candidates[data.certificate_number] = (
            i, Certificate(**data.model_dump(exclude={"level"}), level=int(data.level)))

    written: list[Certificate] = []
    if candidates:
        table = table_of(Certificate)
        columns = list(table.columns)
        names = [c.name for c in columns]
        values: list[list[Any]] = [[getattr(cert, n) for n in names] for _, cert in candidates.values()]
        async with staged(session, "training_certificates", columns, values) as stage:
            there = select(stage.c.certificate_number, table.c.id, table.c.id_number).join(
                table, table.c.certificate_number == stage.c.certificate_number)
            for number, existing_id, holder in (await session.execute(there)).all():
                i, cert = candidates.pop(number)
                if holder == cert.id_number:
                    skipped += 1
                else:
                    refused.append(Refusal(row=i, reason=number_taken(number, existing_id)))
            move = insert(table).from_select(names, select(*(stage.c[n] for n in names)).where(
                ~exists().where(table.c.certificate_number == stage.c.certificate_number))).returning(table.c.id)
            ids = set((await session.execute(move)).scalars())
        written = [cert for _, cert in candidates.values() if cert.id in ids]
        skipped += len(candidates) - len(written)  # recorded meanwhile by another request
    events = await outbox.add_many(session, CERTIFICATE_ISSUED, (certificates.issued_event(c) for c in written))
    return BulkReport(kind="certificates", received=len(rows), written=len(written), skipped=skipped,
                      events=events, refused=sorted(refused, key=lambda r: r.row))
