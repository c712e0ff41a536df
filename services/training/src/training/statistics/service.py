"""培训统计: yearly training, evaluation and subsidy figures by county, as SQL aggregates.

Definitions (year Y = 1 January to 31 December; "in Y" = the named date falls in Y):

- 职业技能培训人次 training person-times: enrolments completed (结业, 合格 or 不合格) in Y, by the course's kind
  (就业技能培训, 岗位技能提升培训, 创业培训, 企业新型学徒制), in the course's county; a person trained twice counts
  twice. ``passed`` is the 合格 part. (The plan's target: 5万人次 a year.)
- 职业技能等级证书 certificates issued: valid (not cancelled) skill-level certificates issued in Y, by level, in the
  certificate's county. 专项职业能力证书 are counted apart. (The plan: 2万 certifications a year.)
- 新增高技能人才 new high-skill talent (人): persons whose first valid certificate at 三级/高级工 or above was issued
  in Y — holding one from an earlier year, they are not new. (The plan: 0.6万 a year.)
- 电子培训券 vouchers: issued in Y (count, face value); redeemed in Y (count, amount applied); expired: unused
  vouchers whose expiry date is in Y and has passed (count, face value), in the voucher's county.
- 培训补贴 subsidies: granted in Y and not revoked, by kind (count, amount, distinct persons), in the subsidy's
  county.
- 技能大师工作室 / 培训基地: recognised in Y, whatever their level and later status. (The plan's 2021–2025 totals:
  50 new master studios and 25 new 企业高技能人才培训示范基地.)
- 人才服务 talent: recognitions approved in Y and valid at the end of Y (or today, for the current year) by tier;
  新引进大学生, persons granted a 大学生生活补贴 in Y; talent-benefit payments made in Y (count, amount, persons);
  技能人才, persons holding a valid skill-level certificate issued by the end of Y, and 高技能人才 among them (level
  3 or higher); 专业技术人才, persons holding a valid professional title obtained by the end of Y. The plan's
  技能人才占从业人员比例 (35 %) and 高技能人才占技能人才比例 (35 %) are these counts over employment's figures, in the
  gateway's indicators. Persons are counted in the county of the record (a person with records in two
  counties counts in each); the city total counts each person once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared import clock
from hrss_shared.statistics import Year, amount, area_name, areas, by_area, by_area_and_key
from training.benefits.models import BenefitKind, BenefitStatus, TalentBenefit, TalentBenefitPayment
from training.certificates.models import LEVEL_NAMES, Certificate, CertificateStatus, SpecialCertificate
from training.courses.models import KIND_NAMES as COURSE_KIND_NAMES
from training.courses.models import Course, CourseKind
from training.enrolments.models import CompletionResult, Enrolment, EnrolmentStatus
from training.platforms.models import BaseKind, Platform, PlatformType
from training.recognitions.models import TIERS, RecognitionStatus, TalentRecognition
from training.statistics.models import (
    Amounted,
    AreaStatistics,
    CertificatesByLevel,
    PlatformFigures,
    Statistics,
    SubsidyFigures,
    TalentFigures,
    TierFigures,
    TrainingByKind,
    VoucherFigures,
)
from training.subsidies.models import KIND_NAMES as SUBSIDY_KIND_NAMES
from training.subsidies.models import Subsidy, SubsidyKind, SubsidyStatus
from training.titles.models import ProfessionalTitle, TitleStatus
from training.vouchers.models import Voucher, VoucherStatus


def _in(column: Any, year: Year) -> Any:
    return and_(column >= year.first, column <= year.last)


async def _figures(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> list[AreaStatistics]:
    kw: dict[str, Any] = {"county": county, "grouped": grouped}
    training = await by_area_and_key(
        session, select(func.count(), func.sum(case((col(Enrolment.result) == CompletionResult.passed, 1), else_=0)))
        .join(Course, col(Course.id) == col(Enrolment.course_id))
        .where(col(Enrolment.status) == EnrolmentStatus.completed, _in(col(Enrolment.completed_date), year)),
        col(Course.county_code), col(Course.kind), **kw)
    valid = col(Certificate.status) == CertificateStatus.valid
    certificates = await by_area_and_key(
        session, select(func.count()).where(valid, _in(col(Certificate.issued_date), year)),
        col(Certificate.county_code), col(Certificate.level), **kw)
    special = await by_area(
        session, select(func.count()).where(col(SpecialCertificate.status) == CertificateStatus.valid,
                                            _in(col(SpecialCertificate.issued_date), year)),
        col(SpecialCertificate.county_code), **kw)
    high = valid & (col(Certificate.level) <= 3)
    first = select(col(Certificate.id_number).label("id_number"),
                   func.min(col(Certificate.issued_date)).label("first")).where(high) \
        .group_by(col(Certificate.id_number)).subquery()
    new_high = await by_area(
        session, select(func.count(func.distinct(col(Certificate.id_number))))
        .join(first, and_(first.c.id_number == col(Certificate.id_number),
                          first.c.first == col(Certificate.issued_date)))
        .where(high, _in(first.c.first, year)), col(Certificate.county_code), **kw)
    today = clock.today()
    issued = await by_area(session, select(func.count(), func.sum(col(Voucher.face_value)))
                           .where(_in(col(Voucher.issue_date), year)), col(Voucher.county_code), **kw)
    redeemed = await by_area(session, select(func.count(), func.sum(col(Voucher.amount_applied)))
                             .where(col(Voucher.status) == VoucherStatus.redeemed,
                                    _in(col(Voucher.redeemed_date), year)), col(Voucher.county_code), **kw)
    lapsed = or_(col(Voucher.status) == VoucherStatus.expired,
                 and_(col(Voucher.status) == VoucherStatus.issued, col(Voucher.expiry_date) < today))
    expired = await by_area(session, select(func.count(), func.sum(col(Voucher.face_value)))
                            .where(lapsed, _in(col(Voucher.expiry_date), year)), col(Voucher.county_code), **kw)
    subsidies = await by_area_and_key(
        session, select(func.count(), func.sum(col(Subsidy.amount)), func.count(func.distinct(col(Subsidy.id_number))))
        .where(col(Subsidy.status) == SubsidyStatus.granted, _in(col(Subsidy.granted_date), year)),
        col(Subsidy.county_code), col(Subsidy.kind), **kw)
    platforms = await by_area_and_key(
        session, select(func.count()).where(_in(col(Platform.recognised_date), year)),
        col(Platform.county_code), func.coalesce(col(Platform.kind), col(Platform.platform_type)), **kw)

    end = min(year.last, today)
    approved = col(TalentRecognition.status).in_([RecognitionStatus.approved])
    new_tiers = await by_area_and_key(
        session, select(func.count()).where(approved | col(TalentRecognition.status).in_(
            [RecognitionStatus.superseded, RecognitionStatus.revoked]),
            _in(col(TalentRecognition.valid_from), year)),
        col(TalentRecognition.county_code), col(TalentRecognition.tier), **kw)
    valid_tiers = await by_area_and_key(
        session, select(func.count()).where(approved, col(TalentRecognition.valid_from) <= end,
                                            col(TalentRecognition.valid_until) >= end),
        col(TalentRecognition.county_code), col(TalentRecognition.tier), **kw)
    graduates = await by_area(
        session, select(func.count(func.distinct(col(TalentBenefit.id_number)))).where(
            col(TalentBenefit.kind) == BenefitKind.graduate_living_allowance,
            col(TalentBenefit.status) != BenefitStatus.cancelled, _in(col(TalentBenefit.granted_date), year)),
        col(TalentBenefit.county_code), **kw)
    payments = await by_area(
        session, select(func.count(), func.sum(col(TalentBenefitPayment.amount)),
                        func.count(func.distinct(col(TalentBenefitPayment.id_number))))
        .where(_in(col(TalentBenefitPayment.paid_date), year)), col(TalentBenefitPayment.county_code), **kw)
    held = valid & (col(Certificate.issued_date) <= year.last)
    skilled = await by_area(session, select(func.count(func.distinct(col(Certificate.id_number)))).where(held),
                            col(Certificate.county_code), **kw)
    high_skilled = await by_area(
        session, select(func.count(func.distinct(col(Certificate.id_number)))).where(
            held, col(Certificate.level) <= 3), col(Certificate.county_code), **kw)
    titled = await by_area(
        session, select(func.count(func.distinct(col(ProfessionalTitle.id_number)))).where(
            col(ProfessionalTitle.status) == TitleStatus.valid, col(ProfessionalTitle.issued_date) <= year.last),
        col(ProfessionalTitle.county_code), **kw)

    def money(row: tuple[Any, ...] | None) -> Amounted:
        return Amounted(count=int(row[0]), amount=amount(row[1])) if row else Amounted(count=0, amount=amount(0))

    answers = []
    for area in areas(county, grouped):
        by_kind = training.get(area, {})
        kinds = [TrainingByKind(course_kind=k, course_kind_name=COURSE_KIND_NAMES[k],
                                completed=int(by_kind.get(str(k), (0, 0))[0]),
                                passed=int(by_kind.get(str(k), (0, 0))[1] or 0)) for k in CourseKind]
        levels = certificates.get(area, {})
        by_level = [CertificatesByLevel(level=n, level_name=LEVEL_NAMES[n], issued=int(levels.get(n, (0,))[0]))
                    for n in (5, 4, 3, 2, 1)]
        granted = subsidies.get(area, {})
        kinds_paid = [SubsidyFigures(kind=k, kind_name=SUBSIDY_KIND_NAMES[k], granted=money(granted.get(str(k))),
                                     persons=int(granted[str(k)][2]) if str(k) in granted else 0)
                      for k in SubsidyKind]
        recognised = platforms.get(area, {})
        answers.append(AreaStatistics(
            county_code=area, county_name=area_name(area),
            training_person_times=sum(k.completed for k in kinds), training=kinds,
            certificates_issued=sum(c.issued for c in by_level), certificates_by_level=by_level,
            special_certificates_issued=int(special.get(area, (0,))[0]),
            new_high_skill_talent=int(new_high.get(area, (0,))[0]),
            vouchers=VoucherFigures(issued=money(issued.get(area)), redeemed=money(redeemed.get(area)),
                                    expired=money(expired.get(area))),
            subsidies=kinds_paid,
            platforms=PlatformFigures(
                new_master_studios=int(recognised.get(str(PlatformType.master_studio), (0,))[0]),
                new_enterprise_high_skill_demo_bases=int(
                    recognised.get(str(BaseKind.enterprise_high_skill_demo), (0,))[0]),
                new_public_training_bases=int(recognised.get(str(BaseKind.public_training), (0,))[0])),
            talent=TalentFigures(
                recognised_by_tier=[TierFigures(tier=t, new=int(new_tiers.get(area, {}).get(t, (0,))[0]),
                                                valid_at_year_end=int(valid_tiers.get(area, {}).get(t, (0,))[0]))
                                    for t in TIERS],
                new_graduates_attracted=int(graduates.get(area, (0,))[0]),
                benefits_paid=money(payments.get(area)),
                benefit_persons_paid=int(payments[area][2]) if area in payments else 0,
                skill_talent=int(skilled.get(area, (0,))[0]),
                high_skill_talent=int(high_skilled.get(area, (0,))[0]),
                professional_technical_talent=int(titled.get(area, (0,))[0])),
        ))
    return answers


async def yearly(*, session: AsyncSession, year: int, county: str | None) -> Statistics:
    """One county's figures for the year, or every county's and the city total."""
    span = Year.of(year)
    counties = await _figures(session, span, county, grouped=True)
    city = None if county is not None else (await _figures(session, span, None, grouped=False))[0]
    return Statistics(year=year, counties=counties, city=city)
