"""Care visits (四必访一报告): occasions, the visits they call for, and the branch's report upward."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.once import once
from branches.dates import prose_date
from members.models import CareOccasion, CareOccasionKind, CareReport, CareVisit, Member
from members.services.development import require_manage


def _not_future(day: datetime.date) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))


@transaction.atomic
def care_occasion_note(
    *,
    member: Member,
    kind: CareOccasionKind,
    noted_on: datetime.date,
    by: User | None,
    note: str = "",
    request_key=None,
) -> CareOccasion:
    """Note an occasion that calls for a visit (illness, hardship, bereavement, an old member …)."""
    require_manage(by=by, branch=member.branch)
    _not_future(noted_on)
    if not kind.is_active:
        raise ValidationError(_("This occasion is no longer in use."))
    return once(
        key=request_key,
        user=by,
        model=CareOccasion,
        create=lambda: CareOccasion.objects.create(
            member=member, kind=kind, noted_on=noted_on, note=note.strip(), created_by=by
        ),
    )


@transaction.atomic
def care_visit_record(
    *,
    occasion: CareOccasion,
    visited_on: datetime.date,
    visitors: str,
    by: User | None,
    help_given: str = "",
    amount: Decimal | None = None,
    request_key=None,
) -> CareVisit:
    """Record who visited, when, and what help was given."""
    require_manage(by=by, branch=occasion.member.branch)
    _not_future(visited_on)
    if visited_on < occasion.noted_on:
        raise ValidationError(
            _("The visit cannot come before the occasion was noted (%(date)s).")
            % {"date": prose_date(occasion.noted_on)}
        )
    if not visitors.strip():
        raise ValidationError(_("Say who visited."))
    if amount is not None and amount < 0:
        raise ValidationError(_("The amount cannot be negative."))
    return once(
        key=request_key,
        user=by,
        model=CareVisit,
        create=lambda: CareVisit.objects.create(
            occasion=occasion,
            visited_on=visited_on,
            visitors=visitors.strip(),
            help_given=help_given.strip(),
            amount=amount,
            recorded_by=by,
        ),
    )


@transaction.atomic
def care_report_submit(
    *,
    branch: Organization,
    year: int,
    half: int,
    text: str,
    by: User | None,
    submitted_on: datetime.date | None = None,
) -> CareReport:
    """一报告: the branch's half-yearly report on its visits to the committee above. Once per half-year."""
    require_manage(by=by, branch=branch)
    if half not in (1, 2):
        raise ValidationError(_("Choose the first or the second half of the year."))
    if not text.strip():
        raise ValidationError(_("Write the report."))
    try:
        with transaction.atomic():
            return CareReport.objects.create(
                branch=branch,
                year=year,
                half=half,
                text=text.strip(),
                submitted_on=submitted_on or timezone.localdate(),
                submitted_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("The report for this half-year has already been submitted.")) from exc
