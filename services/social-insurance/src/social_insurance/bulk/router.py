"""/v1/bulk — 批量写入 (the synthetic city and large imports): set-based rules, COPY, events through the outbox."""

from fastapi import APIRouter

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.bulk import BulkReport, Rows
from social_insurance.bulk import service
from social_insurance.bulk.models import ContributionRow
from social_insurance.cards.models import CardCreate
from social_insurance.deps import Writer
from social_insurance.enrolments.models import EnrolmentCreate

router = APIRouter(prefix="/v1/bulk", tags=["bulk 批量写入"])

COMMON = ("每行按单笔接口的规则校验，但在数据库中成批（集合）处理：已存"
          "在的行跳过并计入 skipped（重复导入不写入、不发布），"
          "按规则被拒的行列入 refused（行号、字段、原因），不写入；行格"
          "式错误时整个请求 422，指明 rows.<n>.<字段>。")


@router.post("/enrolments", summary="批量参保登记 (Bulk-load enrolments)",
             description="每行同 POST /v1/enrolments（窗口登记，自参"
                         "保起始日期起有效）。该人员已有同险种、同参保单位（或个人身份）"
                         "未终止的参保登记时跳过；已有同险种另一有效参保登记"
                         "、或企业职工养老与城乡居民养老同时有效、或参保单位"
                         "不符合险种要求时拒绝。" + COMMON +
                         "每写入一行发布 hrss.social-insurance.enrolment.registered.v1。")
async def bulk_enrolments(body: Rows[EnrolmentCreate], session: SessionDep, outbox: OutboxDep,
                          principal: Writer) -> BulkReport:
    return await service.post_enrolments(session=session, outbox=outbox, principal=principal, rows=body.rows)


@router.post("/cards", summary="批量发放社会保障卡 (Bulk-issue social security cards)",
             description="每行同 POST /v1/cards：每人一张有效卡，已有"
                         "正常或挂失的卡时跳过；卡号按序列顺次编号，默认开通政策规定"
                         "的应用场景。" + COMMON + "每发一张卡发布 hrss.social-insurance.card.issued.v1。")
async def bulk_cards(body: Rows[CardCreate], session: SessionDep, outbox: OutboxDep,
                     principal: Writer) -> BulkReport:
    return await service.post_cards(session=session, outbox=outbox, principal=principal, rows=body.rows)


@router.post("/contributions", summary="批量缴费记账 (Bulk-post contributions)",
             description="每行一人一险种一个月（可含多个单位、多个月份），申"
                         "报缴费工资按当月缴费基数上下限核定，单位和个人缴费按"
                         "核定基数×费率计算（四舍五入到分，同 POST /v1/contributions）。"
                         "同一人同一险种同一月份已缴费时跳过；"
                         "没有覆盖该月份的该险种、该单位（或个人身份）参保登"
                         "记时拒绝。待生效的参保登记（参保一件事）在首次缴费"
                         "时生效（发布 enrolment.activated）。" + COMMON +
                         "每个单位、每个月份、每个险种发布一条 "
                         "hrss.social-insurance.contributions.posted.v1（列出每人的缴费，"
                         "最多 1000 人一条），不逐行发布；无单位的个人缴费（灵活就业、城乡居民）逐笔发布 "
                         "contribution.posted。单位欠缴由每日欠缴核查任务复核。")
async def bulk_contributions(body: Rows[ContributionRow], session: SessionDep, outbox: OutboxDep,
                             principal: Writer) -> BulkReport:
    return await service.post_contributions(session=session, outbox=outbox, principal=principal, rows=body.rows)
