"""Shared set-up for the rating tests: a campaign over the fixed cast's university.

university U1 ← zzb: 组织部 officer (manages the whole campaign)
├── C1 ← dw1: secretary        └── branch A ← alice: secretary
└── C2 ← dw2: secretary        └── branch B ← charlie: secretary
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from openpyxl import Workbook

from assessments.models import BallotBox, RaterEligibility, RatingCampaign, RatingTarget
from assessments.services import ratings as services
from branches.models import Role
from branches.services import role_assign
from tests.factories import UserFactory


def people(cast):
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    dw1 = UserFactory(username="dw1", first_name="邓伟")
    role_assign(user=dw1, organization=cast.c1, kind=Role.Kind.SECRETARY)
    dw2 = UserFactory(username="dw2", first_name="丁文")
    role_assign(user=dw2, organization=cast.c2, kind=Role.Kind.SECRETARY)
    return zzb, dw1, dw2


def make_campaign(
    cast,
    *,
    by=None,
    publish=True,
    opens=None,
    closes=None,
    min_raters=None,
    scale=RatingCampaign.Scale.GRADES,
    custody=BallotBox.Custody.SERVER,
    threshold=2,
    trustees=3,
) -> RatingCampaign:
    """A campaign over the cast's university. Server custody by default, so closing it opens its results
    as before issue 16; the secrecy tests ask for trustees, and find the shares in ``campaign.shares``."""
    now = timezone.now()
    campaign = services.campaign_create(
        scope=cast.university,
        name="2026年度书记述职测评",
        year=2026,
        by=by,
        opens_at=opens or now - datetime.timedelta(hours=1),
        closes_at=closes or now + datetime.timedelta(days=3),
        min_raters=min_raters,
        scale=scale,
        custody=custody,
        threshold=threshold,
        trustees=trustees,
    )
    shares = []
    if publish:
        shares = services.campaign_publish(campaign=campaign, by=by)
        campaign.refresh_from_db()
    campaign = RatingCampaign.objects.select_related("box").get(pk=campaign.pk)
    campaign.shares = shares
    return campaign


def target_of(campaign, org) -> RatingTarget:
    return RatingTarget.objects.get(campaign=campaign, organization=org)


def answers(targets, campaign, grade: str = "good") -> dict[str, str]:
    """A complete form: every dimension of every target, the same grade (or points)."""
    result = {}
    for target in targets:
        for dimension in campaign.dimensions.all():
            result[f"t{target.pk}-d{dimension.pk}"] = grade
    return result


def eligible(campaign, user, unit, kind=RaterEligibility.Kind.STUDENT) -> RaterEligibility:
    return RaterEligibility.objects.create(campaign=campaign, user=user, unit=unit, kind=kind)


def roster_xlsx(rows, headers=("学号/工号", "姓名", "身份", "所在单位编码", "初始密码")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
