"""A person's insurance record (参保缴费信息): enrolments, paid months per type and the gaps up to last month."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared import clock
from hrss_shared.auth import Principal
from social_insurance.benefits.models import BenefitPublic, UnemploymentBenefit
from social_insurance.benefits.service import status_on
from social_insurance.common import InsuranceType
from social_insurance.contributions import service as contributions
from social_insurance.contributions.models import Contribution, ContributionStatus
from social_insurance.enrolments.models import Enrolment, EnrolmentPublic
from social_insurance.persons.models import PersonInsurance, TypeSummary


async def insurance_of(*, session: AsyncSession, principal: Principal, id_number: str) -> PersonInsurance:
    """The person's enrolments and, per type, paid months and unpaid months of the enrolled periods (county clients:
    their county's records only)."""
    today = clock.today()
    query = select(Enrolment).where(Enrolment.id_number == id_number)
    paid_query = select(Contribution.insurance_type, Contribution.month).where(
        Contribution.id_number == id_number, Contribution.status == ContributionStatus.posted)
    if principal.county is not None:
        query = query.where(Enrolment.county_code == principal.county)
        paid_query = paid_query.where(Contribution.county_code == principal.county)
    rows = (await session.exec(query.order_by(col(Enrolment.start_date), col(Enrolment.id)))).all()
    paid: dict[str, set[str]] = {}
    for kind, month in (await session.exec(paid_query)).all():
        paid.setdefault(kind, set()).add(month)
    last_due = contributions.last_due_month(today)
    gaps: dict[str, set[str]] = {}
    for enrolment in rows:
        owed = contributions.owed_months(enrolment, paid.get(enrolment.insurance_type, set()), last_due)
        if owed:
            gaps.setdefault(enrolment.insurance_type, set()).update(owed)
    kinds = [k for k in InsuranceType if k in paid or k in gaps]
    types = [TypeSummary(insurance_type=k, months_paid=len(paid.get(k, set())), paid_months=sorted(paid.get(k, set())),
                         gaps=sorted(gaps.get(k, set()))) for k in kinds]
    benefit_query = select(UnemploymentBenefit).where(UnemploymentBenefit.id_number == id_number)
    if principal.county is not None:
        benefit_query = benefit_query.where(UnemploymentBenefit.county_code == principal.county)
    benefits = []
    for benefit in (await session.exec(benefit_query.order_by(col(UnemploymentBenefit.registered_date)))).all():
        answer = BenefitPublic.model_validate(benefit)
        answer.status = status_on(benefit, today)
        benefits.append(answer)
    return PersonInsurance(id_number=id_number, as_of=today,
                           enrolments=[EnrolmentPublic.model_validate(e) for e in rows], types=types,
                           benefits=benefits)
