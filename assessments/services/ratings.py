"""Writes of 双述双评 (DESIGN §6): campaigns, rosters, codes, ballots, offline scores, reports.

Secrecy is kept here (issue 16): the choices are sealed in the request to the campaign's public key, before
the transaction that writes the participation ``Ballot`` and the ciphertext; nothing in clear links a rater
to a choice at any moment. The private key is split among the campaign's trustees when it is published (or,
in the weaker server mode, wrapped with the server's key); at the close it is rebuilt in memory, the box is
decrypted and tallied in one pass, the ciphertexts are deleted and only the tallies remain. Nothing here
logs who rated or what.
"""

from __future__ import annotations

import datetime
import re
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.history import history_by
from branches.models import Organization, Role
from branches.once import once_bind, once_claim
from branches.selectors import MANAGE_UNITS, organization_permission_holds
from disclosure.services import attachment_check
from branches.spreadsheets import FileRefused, data_rows, read_upload
from branches.spreadsheets import column_letters as letters_of

from assessments import sealing
from assessments.models import (
    Ballot,
    BallotBox,
    BallotTally,
    OfflineScore,
    RaterEligibility,
    RatingCampaign,
    RatingCode,
    RatingDimension,
    RatingTarget,
    SealedBallot,
)
from assessments.models.ratings import CODE_ALPHABET, CODE_LENGTH, code_digest, code_normalize

# Rated units: committees, general branches and branches (their secretaries report to staff and students).
RATED_KINDS = (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH, Organization.Kind.BRANCH)
DEFAULT_DIMENSIONS = (("政治建设", 30), ("履职尽责", 30), ("工作实绩", 25), ("作风形象", 15))


class RatingRefused(Exception):
    """A rating that cannot be counted, with the message for the rater. ``reason`` is one of
    ``closed``, ``already``, ``not_eligible``, ``invalid_code``, ``incomplete``."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def _require_manage(user: User | None, organization: Organization) -> None:
    if user is not None and not organization_permission_holds(user=user, organization=organization,
                                                              codename=MANAGE_UNITS):
        raise PermissionDenied


def _in_scope(campaign: RatingCampaign, unit: Organization) -> bool:
    return unit.path.startswith(campaign.scope.path)


# --- campaigns ------------------------------------------------------------------------------------------

@transaction.atomic
def campaign_create(
    *, scope: Organization, name: str, year: int, opens_at: datetime.datetime, closes_at: datetime.datetime,
    by: User | None, min_raters: int | None = None, scale: str = RatingCampaign.Scale.GRADES,
    dimensions: Iterable[tuple[str, int]] = DEFAULT_DIMENSIONS, request_key=None,
    custody: str = BallotBox.Custody.TRUSTEES, threshold: int = 2, trustees: int = 3,
) -> RatingCampaign:
    """A campaign in preparation for ``scope``: the default dimensions and, as the secretaries to rate,
    every current secretary of an active committee, general branch or branch in the scope; its ballot box in
    ``custody`` (trustees, ``threshold`` of ``trustees``; or the server's key). The form's one-time key sent
    twice creates one campaign."""
    _require_manage(by, scope)
    if closes_at <= opens_at:
        raise ValidationError(_("The closing time must be after the opening time."))
    if custody not in BallotBox.Custody.values:
        raise ValidationError(_("Choose who keeps the key."))
    if not 2 <= threshold <= trustees <= sealing.MAX_TRUSTEES:
        raise ValidationError(_("Between 2 and %(n)d trustees, and at least 2 of them needed to open the results.")
                              % {"n": sealing.MAX_TRUSTEES})
    if (existing := once_claim(key=request_key, user=by, model=RatingCampaign)) is not None:
        return existing
    box = BallotBox.objects.create(custody=custody, threshold=threshold, trustees=trustees)
    campaign = RatingCampaign.objects.create(
        box=box, scope=scope, name=name, year=year, opens_at=opens_at, closes_at=closes_at, scale=scale, created_by=by,
        min_raters=min_raters or settings.RATING_MIN_RATERS,
    )
    RatingDimension.objects.bulk_create(
        [RatingDimension(campaign=campaign, name=n, weight=w, position=i) for i, (n, w) in enumerate(dimensions)]
    )
    roles = (
        Role.objects.current()
        .filter(kind=Role.Kind.SECRETARY, organization__path__startswith=scope.path,
                organization__kind__in=RATED_KINDS, organization__is_active=True)
        .select_related("user", "organization")
        .order_by("organization__path", "pk")
    )
    seen: set[int] = set()
    targets = []
    for role in roles:
        if role.organization_id in seen:
            continue
        seen.add(role.organization_id)
        targets.append(RatingTarget(campaign=campaign, role=role, organization=role.organization, user=role.user,
                                    name=role.user.get_full_name() or role.user.get_username()))
    RatingTarget.objects.bulk_create(targets)
    RatingTarget.history.bulk_history_create(targets, default_change_reason="campaign_create")
    once_bind(key=request_key, record=campaign)
    return campaign


def _server_key() -> bytes:
    return sealing.server_key(key_file=settings.RATING_KEY_FILE, secret_key=settings.SECRET_KEY)


@transaction.atomic
def campaign_publish(*, campaign: RatingCampaign, by: User | None) -> list[str]:
    """Make the campaign visible to raters (it takes ballots between its opening and closing times) and
    give its ballot box a key pair. Trustee custody: returns the private key's shares, one per trustee —
    the only moment they exist; the portal keeps only the public key. Server custody: the private key is
    kept wrapped with the server's key, and nothing is returned."""
    _require_manage(by, campaign.scope)
    campaign = RatingCampaign.objects.select_for_update().select_related("box").get(pk=campaign.pk)
    if campaign.status != RatingCampaign.Status.DRAFT:
        raise ValidationError(_("Only a campaign being prepared can be published."))
    if not campaign.targets.exists():
        raise ValidationError(_("The campaign has no secretaries to rate."))
    box = campaign.box
    public, private = sealing.keypair_new()
    shares: list[str] = []
    box.public_key = public
    if box.custody == BallotBox.Custody.TRUSTEES:
        shares = sealing.shares_split(private, threshold=box.threshold, trustees=box.trustees)
    else:
        box.wrapped_key = sealing.key_wrap(private, key=_server_key())
    del private
    box.save(update_fields=["public_key", "wrapped_key"])
    campaign.status = RatingCampaign.Status.PUBLISHED
    campaign.save(update_fields=["status"])
    return shares


def box_tally(*, box: BallotBox, private: bytes) -> int:
    """Inside the caller's transaction: decrypt every sealed choice of ``box`` and count them in one pass,
    write the tallies (subject × question × value → count), delete the ciphertexts, forget the key.
    Returns the number of choices counted. Generic: any vote using the store calls it."""
    opener = sealing.Opener(private)
    counts: dict[tuple[int, int, int], int] = {}
    rows = SealedBallot.objects.filter(box_id=box.pk).order_by().values_list("ciphertext", flat=True)
    total = 0
    for sealed in rows.iterator(chunk_size=2000):
        subject, answers = opener.open(sealed)
        for question, value in answers.items():
            key = (subject, question, value)
            counts[key] = counts.get(key, 0) + 1
        total += 1
    del opener
    BallotTally.objects.bulk_create(
        [BallotTally(box_id=box.pk, subject=s, question=q, value=v, count=n)
         for (s, q, v), n in sorted(counts.items())], batch_size=2000)
    SealedBallot.objects.filter(box_id=box.pk).delete()
    box.opened = True
    box.wrapped_key = ""
    box.save(update_fields=["opened", "wrapped_key"])
    return total


def _close_window(campaign: RatingCampaign, now: datetime.datetime) -> None:
    if campaign.closes_at > now:
        campaign.closes_at = now
        if campaign.opens_at >= now:
            campaign.opens_at = now - datetime.timedelta(seconds=1)


def campaign_close(*, campaign: RatingCampaign, by: User | None, now: datetime.datetime | None = None
                   ) -> RatingCampaign:
    """Stop the campaign taking ballots. Server custody: the box is opened with the server's key and
    tallied, the results are open (CLOSED). Trustee custody: the campaign waits for the trustees (AWAITING);
    ``campaign_results_open`` opens it. Idempotent."""
    _require_manage(by, campaign.scope)
    now = now or timezone.now()
    with transaction.atomic():
        locked = RatingCampaign.objects.select_for_update().select_related("box").get(pk=campaign.pk)
        if locked.status in (RatingCampaign.Status.CLOSED, RatingCampaign.Status.DRAFT):
            return locked
        _close_window(locked, now)
        box = locked.box
        if box.custody == BallotBox.Custody.SERVER:
            box_tally(box=box, private=sealing.key_unwrap(box.wrapped_key, key=_server_key()))
            locked.status = RatingCampaign.Status.CLOSED
        else:
            locked.status = RatingCampaign.Status.AWAITING
        locked.save(update_fields=["status", "closes_at", "opens_at"])
    return locked


def campaign_results_open(*, campaign: RatingCampaign, shares: list[str], by: User | None,
                          now: datetime.datetime | None = None) -> int:
    """The trustees' count: at least ``threshold`` shares rebuild the key in memory; the box is decrypted and
    tallied in one pass, its ciphertexts deleted and the key forgotten. Returns the number of choices
    counted. Refused (ValidationError) before the close, or when the shares do not open the box."""
    _require_manage(by, campaign.scope)
    now = now or timezone.now()
    with transaction.atomic():
        locked = RatingCampaign.objects.select_for_update().select_related("box").get(pk=campaign.pk)
        if not locked.awaits_trustees(now):
            raise ValidationError(_("The results can be opened only after the campaign has closed, once."))
        box = locked.box
        try:
            private = sealing.shares_combine(shares, public_key=box.public_key)
        except sealing.SealingError:
            raise ValidationError(
                _("These shares do not open the results: %(t)d different trustees' shares of this campaign are "
                  "needed, typed exactly.") % {"t": box.threshold}) from None
        counted = box_tally(box=box, private=private)
        del private
        _close_window(locked, now)
        locked.status = RatingCampaign.Status.CLOSED
        locked.save(update_fields=["status", "closes_at", "opens_at"])
        transaction.on_commit(_reclaim_if_possible)
    return counted


def _reclaim_if_possible() -> None:
    if connection.get_autocommit():
        ballot_space_reclaim(full=False)


def ballot_space_reclaim(*, full: bool = True) -> list[str]:
    """Reclaim the space of deleted ballots (old score rows, opened boxes' ciphertexts) so no dead row
    version or free page keeps them: VACUUM — outside any transaction, as both engines require — and on
    SQLite a WAL checkpoint that truncates the log. ``full=False`` (after the trustees' count, in their
    request) only what is cheap: the checkpoint on SQLite (its VACUUM rewrites the whole file: the daily step
    and ``manage.py ratings_reclaim`` do it), a plain VACUUM of the ciphertexts' table on PostgreSQL.
    Returns the statements run."""
    if not connection.get_autocommit():
        return []
    run = []
    sealed = SealedBallot._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            statements = ["PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"]
            statements = statements if full else statements[:1]
        elif connection.vendor == "postgresql":
            statements = [f'VACUUM FULL "{sealed}"', f'VACUUM "{BallotTally._meta.db_table}"',
                          f'VACUUM "{Ballot._meta.db_table}"'] if full else [f'VACUUM "{sealed}"']
        else:
            statements = []
        for statement in statements:
            cursor.execute(statement)
            run.append(statement)
    return run


def campaigns_close_due(*, now: datetime.datetime) -> dict[str, int]:
    """The daily step's part: close published campaigns whose closing time has passed (server custody:
    tallied; trustee custody: now waiting for the trustees), then reclaim the deleted rows' space. Idempotent."""
    closed = awaiting = 0
    for campaign in RatingCampaign.objects.filter(status=RatingCampaign.Status.PUBLISHED, closes_at__lte=now):
        done = campaign_close(campaign=campaign, by=None, now=now)
        if done.status == RatingCampaign.Status.CLOSED:
            closed += 1
        else:
            awaiting += 1
    if closed:
        ballot_space_reclaim()
    return {"closed": closed, "awaiting": awaiting}


# --- the secretaries' reports ---------------------------------------------------------------------------

@transaction.atomic
def target_report_update(*, target: RatingTarget, text: str, upload=None, by: User) -> RatingTarget:
    """The secretary's 述职 report (text, optionally a file checked by content). Only the secretary or a
    manager of the campaign, and not after the campaign has closed."""
    if by.pk != target.user_id:
        _require_manage(by, target.campaign.scope)
    if target.campaign.is_over():
        raise ValidationError(_("The campaign has closed; the report can no longer be changed."))
    target.report_text = text.strip()
    fields = ["report_text"]
    if upload is not None:
        target.report_content_type = attachment_check(upload)
        if target.report_file:
            target.report_file.delete(save=False)
        target.report_file_name = upload.name[:200]
        target.report_file.save(upload.name, upload, save=False)
        fields += ["report_file", "report_file_name", "report_content_type"]
    target.save(update_fields=fields)
    return target


# --- codes ----------------------------------------------------------------------------------------------

def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def codes_generate(*, campaign: RatingCampaign, unit: Organization, count: int, by: User | None
                   ) -> list[str]:
    """``count`` one-time codes for ``unit``'s report meeting. Returns the plain codes: only their digests
    are stored, so this is the one moment they can be printed."""
    _require_manage(by, unit)
    if not _in_scope(campaign, unit):
        raise ValidationError(_("The unit is not part of this campaign."))
    if campaign.is_over():
        raise ValidationError(_("The campaign has closed."))
    if not 1 <= count <= settings.RATING_CODES_PER_BATCH:
        raise ValidationError(_("Generate between 1 and %(n)d codes at a time.") % {"n": settings.RATING_CODES_PER_BATCH})
    codes = [_new_code() for _ in range(count)]
    RatingCode.objects.bulk_create([RatingCode(campaign=campaign, unit=unit, digest=code_digest(c)) for c in codes])
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


def answers_parse(answers: Mapping[str, str], *, scale: str, dimensions: list[RatingDimension]
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
    return RatingRefused(_("You have already rated; each secretary can be rated only once."), reason="already")


def _seal_all(public_key: str, rated: dict[int, dict[int, int]]) -> list[bytes]:
    """Each secretary's choice sealed to the campaign's key, in the request, before any transaction."""
    if not public_key:
        raise RatingRefused(_("The rating is closed."), reason="closed")
    sealed = [sealing.seal(public_key, subject=target_id, answers=points) for target_id, points in rated.items()]
    secrets.SystemRandom().shuffle(sealed)
    return sealed


def _write(campaign_id: int, box_id: int, targets: Iterable[int], sealed: list[bytes], *,
           rater_id: int | None = None, code_id: int | None = None) -> None:
    """Inside the caller's transaction: the ballots first (a duplicate fails there, before any ciphertext
    is written), then the sealed choices. Two INSERT statements through the fields' own conversions
    without building model instances: the hot path."""
    ballot_id = Ballot._meta.pk
    sealed_id, cipher = SealedBallot._meta.pk, SealedBallot._meta.get_field("ciphertext")
    ballots, boxes = [], []
    targets = list(targets)
    for target_id in targets:
        ballots += [ballot_id.get_db_prep_value(uuid.uuid4(), connection), campaign_id, target_id, rater_id, code_id]
    for item in sealed:
        boxes += [sealed_id.get_db_prep_value(uuid.uuid4(), connection), box_id,
                  cipher.get_db_prep_save(item, connection)]
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{Ballot._meta.db_table}" ("id", "campaign_id", "target_id", "rater_id", '
                       f'"code_id") VALUES {", ".join(["(%s, %s, %s, %s, %s)"] * len(targets))}', ballots)
        cursor.execute(f'INSERT INTO "{SealedBallot._meta.db_table}" ("id", "box_id", "ciphertext") '
                       f'VALUES {", ".join(["(%s, %s, %s)"] * len(sealed))}', boxes)


def targets_for_rater(*, campaign: RatingCampaign, rater: User):
    """The secretaries ``rater`` may rate: of the units on their roster rows and the units above them."""
    eligible = RaterEligibility.objects.filter(campaign_id=campaign.pk, user_id=rater.pk).filter(
        StartsWith(F("unit__path"), OuterRef("organization__path"))
    )
    return RatingTarget.objects.filter(campaign_id=campaign.pk).filter(Exists(eligible))


def targets_for_unit(*, campaign: RatingCampaign, unit: Organization):
    """The secretaries a code of ``unit`` rates: the unit's and those above it, inside the campaign."""
    return RatingTarget.objects.filter(campaign_id=campaign.pk, organization__path__in=unit.ancestor_paths())


def ballot_cast(*, campaign: RatingCampaign, rater: User, answers: Mapping[str, str],
                now: datetime.datetime | None = None) -> int:
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
    allowed = set(targets_for_rater(campaign=campaign, rater=rater).filter(pk__in=list(rated))
                  .values_list("pk", flat=True))
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
    return RatingCode.objects.select_related("campaign__box", "unit").filter(digest=code_digest(code)).first()


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
        pk=campaign_id)
    dimensions = list(RatingDimension.objects.filter(campaign_id=campaign_id))
    unit = Organization.objects.only("path").get(pk=unit_id)
    targets = frozenset(RatingTarget.objects.filter(campaign_id=campaign_id,
                                                    organization__path__in=unit.ancestor_paths())
                        .order_by().values_list("pk", flat=True))
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
    row = RatingCode.objects.filter(digest=digest).values_list(
        "used", "campaign__status", "campaign__opens_at", "campaign__closes_at").first()
    if row is None:
        return RatingRefused(_("This rating code is not valid. Check it and type it again."), reason="invalid_code")
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
        raise RatingRefused(_("This rating code is not valid. Check it and type it again."), reason="invalid_code")
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


# --- the roster of raters -------------------------------------------------------------------------------

COL_NUMBER = "学号/工号"
COL_NAME = "姓名"
COL_KIND = "身份"
COL_UNIT = "所在单位编码"
COL_PASSWORD = "初始密码"
ROSTER_REQUIRED = (COL_NUMBER, COL_NAME, COL_KIND)
ROSTER_KIND_LABELS = {"教职工": RaterEligibility.Kind.STAFF, "教工": RaterEligibility.Kind.STAFF,
                      "学生": RaterEligibility.Kind.STUDENT}
_PASSWORD_LENGTH = 128  # it is hashed, never stored; a bound still keeps the hasher's work small
_NUMBER = re.compile(r"^[A-Za-z0-9_.\-]{2,150}$")


@dataclass
class RosterError:
    row: int | None
    column: str
    message: str


@dataclass
class RosterReport:
    added: int = 0
    kept: int = 0
    accounts_created: int = 0
    accounts_without_password: int = 0
    members_linked: int = 0
    errors: list[RosterError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a student number typed as a number arrives as 2023001.0
    return str(value).strip()


def _roster_link_members(accounts: dict, numbers: list[str]) -> int:
    """Members whose campus number (学号/工号) is on the roster and who have no login yet get the roster's
    account (issue 20): the rater and the member are one person, whichever way they first sign on."""
    from members.models import Member

    holders = set(Member.objects.filter(user__in=[u.pk for u in accounts.values()]).values_list("user_id", flat=True))
    linking = []
    for member in Member.objects.filter(campus_number__in=numbers, user__isnull=True):
        user = accounts.get(member.campus_number.lower())
        if user is not None and user.pk not in holders:
            member.user = user
            holders.add(user.pk)
            linking.append(member)
    Member.objects.bulk_update(linking, ["user"])
    return len(linking)


def rater_roster_import(*, campaign: RatingCampaign, unit: Organization, data: bytes, filename: str,
                        by: User | None) -> RosterReport:
    """Import the staff and students of ``unit`` who may rate: all rows or none.

    Columns 学号/工号, 姓名, 身份 (教职工/学生), optional 所在单位编码 (a unit inside ``unit``; default
    ``unit`` itself) and 初始密码. The number is the login: an existing account with that username is
    linked, otherwise one is created (with the given initial password, or none usable — then the
    university's sign-on or an administrator sets it). Rows already on the roster are kept as they are.
    """
    _require_manage(by, unit)
    column_letters: dict[str, str] = {}

    def error(report: RosterReport, row: int | None, header: str, message: str) -> None:
        column = f"{column_letters[header]}（{header}）" if header in column_letters else header
        report.errors.append(RosterError(row=row, column=column, message=message))

    report = RosterReport()
    if not _in_scope(campaign, unit):
        error(report, None, "", _("The unit is not part of this campaign."))
        return report
    if campaign.is_over():
        error(report, None, "", _("The campaign has closed."))
        return report
    try:
        dataset = read_upload(data=data, filename=filename, max_bytes=settings.RATING_ROSTER_MAX_BYTES,
                              required=ROSTER_REQUIRED)
    except FileRefused as exc:
        error(report, None, "", str(exc))
        return report
    column_letters.update(letters_of(dataset))

    User = get_user_model()
    username_length = User._meta.get_field("username").max_length
    name_length = User._meta.get_field("first_name").max_length
    units = {o.code: o for o in Organization.objects.subtree_of(unit).filter(is_active=True)}
    rows: list[tuple[int, str, str, RaterEligibility.Kind | None, Organization | None, str]] = []
    seen: dict[str, int] = {}
    for row in data_rows(dataset):
        number = row.text(COL_NUMBER, max_length=username_length)
        if number and not _NUMBER.match(number):
            row.error(COL_NUMBER, _("Give the student or staff number (letters, digits, . _ -)."))
        elif number:
            row.once(COL_NUMBER, number, seen)
        name = row.text(COL_NAME, max_length=name_length)
        kind = ROSTER_KIND_LABELS.get(row.raw(COL_KIND))
        if kind is None:
            row.error(COL_KIND, _("“%(value)s” is not one of: %(choices)s.")
                      % {"value": row.raw(COL_KIND)[:40], "choices": "、".join(ROSTER_KIND_LABELS)})
        unit_code = row.text(COL_UNIT, required=False, field=Organization._meta.get_field("code"))
        password = row.text(COL_PASSWORD, required=False, max_length=_PASSWORD_LENGTH)
        target_unit: Organization | None = unit
        if unit_code:
            target_unit = units.get(unit_code)
            if target_unit is None:
                row.error(COL_UNIT, _("No active unit with the code %(code)s inside %(unit)s.")
                          % {"code": unit_code, "unit": unit.display_name})
        if password and len(password) < 8:
            row.error(COL_PASSWORD, _("The initial password must have at least 8 characters."))
        report.errors.extend(RosterError(row=e.row, column=e.column, message=e.message) for e in row.errors)
        rows.append((row.number, number, name, kind, target_unit, password))
    if report.errors:
        return report

    existing = {u.username.lower(): u for u in User.objects.filter(username__in=[r[1] for r in rows])}
    for index, number, name, _kind, _unit, _password in rows:
        user = existing.get(number.lower())
        if user is not None and user.first_name and user.first_name != name:
            error(report, index, COL_NAME, _("The number %(number)s belongs to %(name)s, not to this name.")
                  % {"number": number, "name": user.first_name})
    if report.errors:
        return report

    try:
        with transaction.atomic():
            new_users = []
            for _index, number, name, _kind, _unit, password in rows:
                if number.lower() not in existing:
                    user = User(username=number, first_name=name[:150],
                                password=make_password(password or None))
                    new_users.append(user)
                    existing[number.lower()] = user
                    report.accounts_without_password += 0 if password else 1
            User.objects.bulk_create(new_users)
            report.accounts_created = len(new_users)
            if new_users and new_users[0].pk is None:  # backends without RETURNING
                fresh = {u.username.lower(): u for u in User.objects.filter(username__in=[u.username for u in new_users])}
                existing.update(fresh)
            present = set(RaterEligibility.objects.filter(campaign=campaign, unit__in=[r[4] for r in rows])
                          .values_list("user_id", "unit_id"))
            adding = []
            for _index, number, _name, kind, target_unit, _password in rows:
                assert kind is not None and target_unit is not None  # a row without them was reported above
                user = existing[number.lower()]
                if (user.pk, target_unit.pk) in present:
                    report.kept += 1
                    continue
                present.add((user.pk, target_unit.pk))
                adding.append(RaterEligibility(campaign=campaign, user=user, unit=target_unit, kind=kind))
            RaterEligibility.objects.bulk_create(adding)
            report.added = len(adding)
            report.members_linked = _roster_link_members(existing, [r[1] for r in rows])
    except IntegrityError:
        return RosterReport(errors=[RosterError(
            row=None, column="",
            message=_("The accounts changed while the file was being imported. Nothing was imported; please "
                      "upload the file again."))])
    return report


# --- the offline channel --------------------------------------------------------------------------------

def offline_lines_parse(text: str) -> list[tuple[str, Decimal]]:
    """The 组织部's typing of a paper form: one committee member per line, ``name score`` (a space, a tab,
    a comma or a colon between). Errors name the line."""
    rows: list[tuple[str, Decimal]] = []
    errors = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = re.split(r"[\s,，:：]+", line)
        if len(parts) != 2:
            errors.append(_("Line %(n)d: write a name and a score, e.g. 王伟 92.") % {"n": number})
            continue
        name, raw = parts
        try:
            score = Decimal(raw)
        except InvalidOperation:
            errors.append(_("Line %(n)d: %(value)s is not a number.") % {"n": number, "value": raw})
            continue
        # A finite score once the range check passes, whose exponent is an int (the cast tells mypy so).
        if not Decimal(0) <= score <= Decimal(100) or cast(int, score.as_tuple().exponent) < -2:
            errors.append(_("Line %(n)d: the score must be between 0 and 100 (two decimals at most).") % {"n": number})
            continue
        if name in seen:
            errors.append(_("Line %(n)d: %(name)s is listed twice.") % {"n": number, "name": name})
            continue
        seen.add(name)
        rows.append((name[:60], score))
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def offline_scores_set(*, target: RatingTarget, rows: list[tuple[str, Decimal]], by: User | None
                       ) -> dict[str, int]:
    """Replace one secretary's offline scores with ``rows`` (committee member, score); every change —
    added, changed, removed — is kept in the history with who made it."""
    _require_manage(by, target.campaign.scope)
    current = {s.assessor: s for s in OfflineScore.objects.select_for_update().filter(target=target)}
    wanted = dict(rows)
    counts = {"added": 0, "changed": 0, "removed": 0}
    for assessor, old in current.items():
        if assessor not in wanted:
            history_by(old, by)
            old.delete()
            counts["removed"] += 1
    for assessor, value in wanted.items():
        score = current.get(assessor)
        if score is None:
            score = OfflineScore(target=target, assessor=assessor, score=value, entered_by=by)
            history_by(score, by)
            score.save()
            counts["added"] += 1
        elif score.score != value:
            score.score = value
            score.entered_by = by
            history_by(score, by)
            score.save(update_fields=["score", "entered_by"])
            counts["changed"] += 1
    return counts
