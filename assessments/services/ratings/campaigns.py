"""A campaign's life (DESIGN §6): created, published with its ballot box's key, closed and tallied, the
deleted ballots' space reclaimed; and the secretaries' 述职 reports."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, Role
from branches.once import once_bind, once_claim
from branches.selectors import MANAGE_UNITS, require_organization_permission
from disclosure.services import attachment_check

from assessments import sealing
from assessments.models import (
    Ballot,
    BallotBox,
    BallotRemark,
    BallotTally,
    RatingCampaign,
    RatingDimension,
    RatingTarget,
    SealedBallot,
)
from assessments.services.ratings._common import (
    DEFAULT_DIMENSIONS,
    RATED_KINDS,
)


# --- campaigns ------------------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    scope: Organization,
    name: str,
    year: int,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    by: User | None,
    min_raters: int | None = None,
    scale: str = RatingCampaign.Scale.GRADES,
    dimensions: Iterable[tuple[str, int]] = DEFAULT_DIMENSIONS,
    request_key=None,
    custody: str = BallotBox.Custody.TRUSTEES,
    threshold: int = 2,
    trustees: int = 3,
) -> RatingCampaign:
    """A campaign in preparation for ``scope``: the default dimensions and, as the secretaries to rate,
    every current secretary of an active committee, general branch or branch in the scope; its ballot box in
    ``custody`` (trustees, ``threshold`` of ``trustees``; or the server's key). The form's one-time key sent
    twice creates one campaign."""
    if by is not None:
        require_organization_permission(user=by, organization=scope, codename=MANAGE_UNITS)
    if closes_at <= opens_at:
        raise ValidationError(_("The closing time must be after the opening time."))
    if custody not in BallotBox.Custody.values:
        raise ValidationError(_("Choose who keeps the key."))
    if not 2 <= threshold <= trustees <= sealing.MAX_TRUSTEES:
        raise ValidationError(
            _("Between 2 and %(n)d trustees, and at least 2 of them needed to open the results.")
            % {"n": sealing.MAX_TRUSTEES}
        )
    if (existing := once_claim(key=request_key, user=by, model=RatingCampaign)) is not None:
        return existing
    box = BallotBox.objects.create(custody=custody, threshold=threshold, trustees=trustees)
    campaign = RatingCampaign.objects.create(
        box=box,
        scope=scope,
        name=name,
        year=year,
        opens_at=opens_at,
        closes_at=closes_at,
        scale=scale,
        created_by=by,
        min_raters=min_raters or settings.RATING_MIN_RATERS,
    )
    RatingDimension.objects.bulk_create(
        [
            RatingDimension(campaign=campaign, name=n, weight=w, position=i)
            for i, (n, w) in enumerate(dimensions)
        ]
    )
    roles = (
        Role.objects.current()
        .filter(
            kind=Role.Kind.SECRETARY,
            organization__path__startswith=scope.path,
            organization__kind__in=RATED_KINDS,
            organization__is_active=True,
        )
        .select_related("user", "organization")
        .order_by("organization__path", "pk")
    )
    seen: set[int] = set()
    targets = []
    for role in roles:
        if role.organization_id in seen:
            continue
        seen.add(role.organization_id)
        targets.append(
            RatingTarget(
                campaign=campaign,
                role=role,
                organization=role.organization,
                user=role.user,
                name=role.user.get_full_name() or role.user.get_username(),
            )
        )
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
    if by is not None:
        require_organization_permission(user=by, organization=campaign.scope, codename=MANAGE_UNITS)
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
    write the tallies (subject × question × value → count) and the written remarks (in shuffled order, all
    at once: their rows' order says nothing of the writing order), delete the ciphertexts, forget the key.
    Returns the number of choices and remarks counted. Generic: any vote using the store calls it."""
    opener = sealing.Opener(private)
    counts: dict[tuple[int, int, int], int] = {}
    remarks: list[BallotRemark] = []
    rows = SealedBallot.objects.filter(box_id=box.pk).order_by().values_list("ciphertext", flat=True)
    total = 0
    for sealed in rows.iterator(chunk_size=2000):
        subject, answers, remark = opener.read(sealed)
        for question, value in answers.items():
            key = (subject, question, value)
            counts[key] = counts.get(key, 0) + 1
        if remark is not None:
            remarks.append(BallotRemark(box_id=box.pk, subject=subject, question=remark[0], text=remark[1]))
        total += 1
    del opener
    BallotTally.objects.bulk_create(
        [
            BallotTally(box_id=box.pk, subject=s, question=q, value=v, count=n)
            for (s, q, v), n in sorted(counts.items())
        ],
        batch_size=2000,
    )
    secrets.SystemRandom().shuffle(remarks)
    BallotRemark.objects.bulk_create(remarks, batch_size=2000)
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


def campaign_close(
    *, campaign: RatingCampaign, by: User | None, now: datetime.datetime | None = None
) -> RatingCampaign:
    """Stop the campaign taking ballots. Server custody: the box is opened with the server's key and
    tallied, the results are open (CLOSED). Trustee custody: the campaign waits for the trustees (AWAITING);
    ``campaign_results_open`` opens it. Idempotent."""
    if by is not None:
        require_organization_permission(user=by, organization=campaign.scope, codename=MANAGE_UNITS)
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


def campaign_results_open(
    *, campaign: RatingCampaign, shares: list[str], by: User | None, now: datetime.datetime | None = None
) -> int:
    """The trustees' count: at least ``threshold`` shares rebuild the key in memory; the box is decrypted and
    tallied in one pass, its ciphertexts deleted and the key forgotten. Returns the number of choices
    counted. Refused (ValidationError) before the close, or when the shares do not open the box."""
    if by is not None:
        require_organization_permission(user=by, organization=campaign.scope, codename=MANAGE_UNITS)
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
                _(
                    "These shares do not open the results: %(t)d different trustees' shares of this campaign are "
                    "needed, typed exactly."
                )
                % {"t": box.threshold}
            ) from None
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
            statements = (
                [
                    f'VACUUM FULL "{sealed}"',
                    f'VACUUM "{BallotTally._meta.db_table}"',
                    f'VACUUM "{Ballot._meta.db_table}"',
                ]
                if full
                else [f'VACUUM "{sealed}"']
            )
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
        require_organization_permission(user=by, organization=target.campaign.scope, codename=MANAGE_UNITS)
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
