"""Codes and ballots: one-time codes for a report meeting, a logged-in rater's ballot and a code holder's
ballot, each sealed in the request before the transaction that writes it (issue 16)."""

from __future__ import annotations

import datetime
import re
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.selectors import MANAGE_UNITS, require_organization_permission

from assessments import sealing
from assessments.models import (
    Ballot,
    BallotBox,
    RaterEligibility,
    RatingCampaign,
    RatingCode,
    RatingDimension,
    RatingTarget,
    SealedBallot,
)
from assessments.models.ratings import CODE_ALPHABET, CODE_LENGTH, code_digest, code_normalize

from assessments.services.ratings._common import (
    RatingRefused,
    _in_scope,
)


# --- codes ----------------------------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def codes_generate(*, campaign: RatingCampaign, unit: Organization, count: int, by: User | None) -> list[str]:
    """``count`` one-time codes for ``unit``'s report meeting. Returns the plain codes: only their digests
    are stored, so this is the one moment they can be printed."""
    if by is not None:
        require_organization_permission(user=by, organization=unit, codename=MANAGE_UNITS)
    if not _in_scope(campaign, unit):
        raise ValidationError(_("The unit is not part of this campaign."))
    if campaign.is_over():
        raise ValidationError(_("The campaign has closed."))
    if not 1 <= count <= settings.RATING_CODES_PER_BATCH:
        raise ValidationError(
            _("Generate between 1 and %(n)d codes at a time.") % {"n": settings.RATING_CODES_PER_BATCH}
        )
    codes = [_new_code() for _ in range(count)]
    RatingCode.objects.bulk_create(
        [RatingCode(campaign=campaign, unit=unit, digest=code_digest(c)) for c in codes]
    )
    return codes


# --- ballots --------------------------------------------------------------------------------------------

_ANSWER = re.compile(r"^t(\d+)-d(\d+)$")


def _points(value: str, scale: str) -> int | None:
    if scale == RatingCampaign.Scale.GRADES:
        return RatingCampaign.GRADE_POINTS.get(value)
    try:
        points = int(value)
    except (TypeError, ValueError):
        return None
    return points if 0 <= points <= 100 else None


def answers_parse(
    answers: Mapping[str, str], *, scale: str, dimensions: list[RatingDimension]
) -> dict[int, dict[int, int]]:
    """Form fields ``t<target>-d<dimension>`` → ``{target id: {dimension id: points}}``. A secretary is
    rated completely (every dimension) or the whole submission is refused."""
    by_target: dict[int, dict[int, int]] = {}
    for key, value in answers.items():
        match = _ANSWER.match(key)
        if not match or value in (None, ""):
            continue
        points = _points(value, scale)
        if points is None:
            raise RatingRefused(_("An answer is not on the scale; please choose again."), reason="incomplete")
        by_target.setdefault(int(match[1]), {})[int(match[2])] = points
    wanted = {d.pk for d in dimensions}
    if not by_target or any(set(points) != wanted for points in by_target.values()):
        raise RatingRefused(_("Please rate every item for every secretary."), reason="incomplete")
    return by_target


def _refuse_closed(campaign: RatingCampaign, now: datetime.datetime) -> None:
    if not campaign.accepts_ballots(now):
        if now < campaign.opens_at:
            raise RatingRefused(_("The rating has not opened yet."), reason="closed")
        raise RatingRefused(_("The rating is closed."), reason="closed")


def _already() -> RatingRefused:
    return RatingRefused(
        _("You have already rated; each secretary can be rated only once."), reason="already"
    )


def _seal_all(public_key: str, rated: dict[int, dict[int, int]]) -> list[bytes]:
    """Each secretary's choice sealed to the campaign's key, in the request, before any transaction."""
    if not public_key:
        raise RatingRefused(_("The rating is closed."), reason="closed")
    sealed = [
        sealing.seal(public_key, subject=target_id, answers=points) for target_id, points in rated.items()
    ]
    secrets.SystemRandom().shuffle(sealed)
    return sealed


def _write(
    campaign_id: int,
    box_id: int,
    targets: Iterable[int],
    sealed: list[bytes],
    *,
    rater_id: int | None = None,
    code_id: int | None = None,
) -> None:
    """Inside the caller's transaction: the ballots first (a duplicate fails there, before any ciphertext
    is written), then the sealed choices. Two INSERT statements through the fields' own conversions
    without building model instances: the hot path."""
    ballot_id = Ballot._meta.pk
    sealed_id, cipher = SealedBallot._meta.pk, SealedBallot._meta.get_field("ciphertext")
    ballots, boxes = [], []
    targets = list(targets)
    for target_id in targets:
        ballots += [
            ballot_id.get_db_prep_value(uuid.uuid4(), connection),
            campaign_id,
            target_id,
            rater_id,
            code_id,
        ]
    for item in sealed:
        boxes += [
            sealed_id.get_db_prep_value(uuid.uuid4(), connection),
            box_id,
            cipher.get_db_prep_save(item, connection),
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{Ballot._meta.db_table}" ("id", "campaign_id", "target_id", "rater_id", '
            f'"code_id") VALUES {", ".join(["(%s, %s, %s, %s, %s)"] * len(targets))}',
            ballots,
        )
        cursor.execute(
            f'INSERT INTO "{SealedBallot._meta.db_table}" ("id", "box_id", "ciphertext") '
            f"VALUES {', '.join(['(%s, %s, %s)'] * len(sealed))}",
            boxes,
        )


def targets_for_rater(*, campaign: RatingCampaign, rater: User):
    """The secretaries ``rater`` may rate: of the units on their roster rows and the units above them."""
    eligible = RaterEligibility.objects.filter(campaign_id=campaign.pk, user_id=rater.pk).filter(
        StartsWith(F("unit__path"), OuterRef("organization__path"))
    )
    return RatingTarget.objects.filter(campaign_id=campaign.pk).filter(Exists(eligible))


def targets_for_unit(*, campaign: RatingCampaign, unit: Organization):
    """The secretaries a code of ``unit`` rates: the unit's and those above it, inside the campaign."""
    return RatingTarget.objects.filter(campaign_id=campaign.pk, organization__path__in=unit.ancestor_paths())


def ballot_cast(
    *, campaign: RatingCampaign, rater: User, answers: Mapping[str, str], now: datetime.datetime | None = None
) -> int:
    """A logged-in rater rates one or more secretaries, each exactly once. Returns how many were rated.

    Queries: dimensions, the eligible targets, the box's public key, then (the choices sealed first) the
    ballots and the ciphertexts in one transaction. A second
    rating of the same secretary (another tab, a double click, a concurrent request) fails on the ballot's
    unique constraint and nothing of the submission is kept.
    """
    now = now or timezone.now()
    _refuse_closed(campaign, now)
    dimensions = list(campaign.dimensions.all())
    rated = answers_parse(answers, scale=campaign.scale, dimensions=dimensions)
    allowed = set(
        targets_for_rater(campaign=campaign, rater=rater)
        .filter(pk__in=list(rated))
        .values_list("pk", flat=True)
    )
    if set(rated) - allowed:
        raise RatingRefused(_("You are not on the roster of this secretary's unit."), reason="not_eligible")
    box = BallotBox.objects.only("public_key").get(pk=campaign.box_id)
    sealed = _seal_all(box.public_key, rated)
    try:
        with transaction.atomic():
            _write(campaign.pk, box.pk, rated, sealed, rater_id=rater.pk)
    except IntegrityError:
        raise _already() from None
    return len(rated)


def code_lookup(raw: str) -> RatingCode | None:
    """The code typed or scanned, with its campaign and unit; None for an unknown code. One query."""
    code = code_normalize(raw)
    if len(code) != CODE_LENGTH:
        return None
    # A 群众意见 code of a member evaluation (issue 19) is no rating code.
    return (
        RatingCode.objects.select_related("campaign__box", "unit")
        .filter(digest=code_digest(code), campaign__isnull=False)
        .first()
    )


# A published campaign's dimensions and secretaries do not change while it takes ballots, so the code
# channel keeps them per process for a minute: two queries fewer on the hot path.
_FORM_CACHE: dict[tuple[int, int], tuple[float, CodeForm]] = {}
_FORM_SECONDS = 60.0


@dataclass(frozen=True)
class CodeForm:
    scale: str
    dimensions: list[RatingDimension]
    targets: frozenset[int]
    box_id: int
    public_key: str


def _code_form(campaign_id: int, unit_id: int) -> CodeForm:
    """The campaign's scale, dimensions and ballot box (its public key), and the ids of the secretaries a
    code of ``unit_id`` rates."""
    key = (campaign_id, unit_id)
    now = time.monotonic()
    hit = _FORM_CACHE.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    scale, box_id, public_key = RatingCampaign.objects.values_list("scale", "box_id", "box__public_key").get(
        pk=campaign_id
    )
    dimensions = list(RatingDimension.objects.filter(campaign_id=campaign_id))
    unit = Organization.objects.only("path").get(pk=unit_id)
    targets = frozenset(
        RatingTarget.objects.filter(campaign_id=campaign_id, organization__path__in=unit.ancestor_paths())
        .order_by()
        .values_list("pk", flat=True)
    )
    if len(_FORM_CACHE) > 10_000:
        _FORM_CACHE.clear()
    form = CodeForm(scale=scale, dimensions=dimensions, targets=targets, box_id=box_id, public_key=public_key)
    _FORM_CACHE[key] = (now + _FORM_SECONDS, form)
    return form


def code_form_forget(**_kwargs) -> None:
    """Drop this process's copy (connected to saves of campaigns, dimensions and secretaries)."""
    _FORM_CACHE.clear()


def _claim(digest: str, now: datetime.datetime) -> tuple[int, int, int] | None:
    """Inside the caller's transaction: mark the code used if it is unused and its campaign takes ballots
    now; returns (code id, unit id, campaign id), or None. One statement (UPDATE … FROM … RETURNING,
    PostgreSQL and SQLite ≥ 3.35 alike): the hot path of the code channel, so written out in SQL. Of two
    concurrent claims of one code, the second waits for the first's row lock and then matches nothing."""
    code, campaign = RatingCode._meta.db_table, RatingCampaign._meta.db_table
    field = RatingCampaign._meta.get_field("opens_at")
    moment = field.get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{code}" SET "used" = %s FROM "{campaign}" '
            f'WHERE "{code}"."digest" = %s AND NOT "{code}"."used" AND "{campaign}"."id" = "{code}"."campaign_id" '
            f'AND "{campaign}"."status" = %s AND "{campaign}"."opens_at" <= %s AND "{campaign}"."closes_at" > %s '
            # SQLite returns only the updated table's columns; the scale comes with the form.
            f'RETURNING "{code}"."id", "{code}"."unit_id", "{code}"."campaign_id"',
            [True, digest, RatingCampaign.Status.PUBLISHED, moment, moment],
        )
        return cursor.fetchone()


def _why_not(digest: str, now: datetime.datetime) -> RatingRefused:
    """The reason a claim matched nothing, in the rater's words."""
    row = (
        RatingCode.objects.filter(digest=digest, campaign__isnull=False)
        .values_list("used", "campaign__status", "campaign__opens_at", "campaign__closes_at")
        .first()
    )
    if row is None:
        return RatingRefused(
            _("This rating code is not valid. Check it and type it again."), reason="invalid_code"
        )
    used, status, opens_at, closes_at = row
    try:
        _refuse_closed(RatingCampaign(status=status, opens_at=opens_at, closes_at=closes_at), now)
    except RatingRefused as refused:
        return refused
    return RatingRefused(_("This rating code has already been used; each code works once."), reason="already")


def code_ballot_cast(*, code: str, answers: Mapping[str, str], now: datetime.datetime | None = None) -> int:
    """A code holder rates every secretary of the code's unit (and above) at once; the code is then spent.

    One transaction: claim the code (a conditional UPDATE that also checks the campaign's window), then the
    ballots and the sealed choices; a refused form rolls the claim back. Of two concurrent submissions one claims
    the code and the other finds it used; the ballot's unique constraint is the last guard. The
    dimensions and secretaries come from ``_code_form`` (no query while this process's copy is fresh).
    """
    now = now or timezone.now()
    normalized = code_normalize(code)
    if len(normalized) != CODE_LENGTH:
        raise RatingRefused(
            _("This rating code is not valid. Check it and type it again."), reason="invalid_code"
        )
    digest = code_digest(normalized)
    try:
        with transaction.atomic():
            claimed = _claim(digest, now)
            if claimed is None:
                raise _why_not(digest, now)
            code_id, unit_id, campaign_id = claimed
            form = _code_form(campaign_id, unit_id)
            rated = answers_parse(answers, scale=form.scale, dimensions=form.dimensions)
            if set(rated) != form.targets:
                if set(rated) - form.targets:
                    raise RatingRefused(_("This code cannot rate that secretary."), reason="not_eligible")
                raise RatingRefused(_("Please rate every item for every secretary."), reason="incomplete")
            # Sealed in this request (microseconds each) before the INSERTs: nothing in clear is written.
            _write(campaign_id, form.box_id, rated, _seal_all(form.public_key, rated), code_id=code_id)
    except IntegrityError:
        raise _already() from None
    return len(rated)
