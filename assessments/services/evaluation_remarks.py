"""Writes of the 民主评议党员's written parts (issue 19): the 党员互评 comments of members on each other, and
the 群众意见 that non-members give with one-time codes.

Both go into the evaluation's one ballot box (DESIGN §10), as the 民主测评's grades do: the text is sealed in
the request (``assessments.sealing.seal_remark``) and written in one transaction with what says only *that*
someone took part — an ``EvaluationCommentBallot`` (a member commented on a colleague: its unique
constraint makes "once per colleague" hold under any concurrency) or a spent code. At the count
(``vote_close``) the box is opened and the remarks are written in clear, shuffled, with no writer and no
code (``BallotRemark``); the branch committee reads them per member only where at least
``min_participants`` wrote (the 测评's rule).

The codes are the ratings' (``RatingCode``: one table, one alphabet, one digest, one printed sheet), tied to
the evaluation instead of a campaign.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from assessments import sealing
from assessments.models import BallotBox, RatingCode, SealedBallot
from assessments.models.evaluation import (
    COMMENT_MAX_LENGTH,
    COMMENT_QUESTION,
    OPINION_MAX_LENGTH,
    OPINION_QUESTION,
    OVERALL_SUBJECT,
    EvaluationCommentBallot,
    EvaluationEntry,
    MemberEvaluation,
)
from assessments.models.ratings import CODE_LENGTH, code_digest, code_normalize
from assessments.services.evaluation import EvaluationRefused, may_run
from assessments.services.ratings.ballots import _new_code

Status = MemberEvaluation.Status


def _seal_all(public_key: str, question: int, texts: Mapping[int, str]) -> list[bytes]:
    """Each remark sealed to the box, in this request, before any transaction; shuffled."""
    sealed = [
        sealing.seal_remark(public_key, subject=subject, question=question, text=text)
        for subject, text in texts.items()
    ]
    secrets.SystemRandom().shuffle(sealed)
    return sealed


def _still_open(evaluation_id: int) -> bool:
    """Inside the caller's transaction: the evaluation takes remarks, with its row locked so the count
    (which locks it too) cannot open the box between this check and the write."""
    return (
        MemberEvaluation.objects.select_for_update()
        .filter(pk=evaluation_id, status=Status.OPEN)
        .values_list("pk", flat=True)
        .first()
        is not None
    )


# --- 党员互评: members' comments on each other -------------------------------------------------------------


def comment_subjects(*, evaluation: MemberEvaluation, rater: EvaluationEntry) -> QuerySet[EvaluationEntry]:
    """The colleagues ``rater`` comments on: every other party member of the branch (probationary members
    take part too) — or, in an evaluation held per party group, those of the rater's own group."""
    subjects = EvaluationEntry.objects.filter(evaluation_id=evaluation.pk).exclude(pk=rater.pk)
    if evaluation.by_group:
        subjects = subjects.filter(party_group_id=rater.party_group_id)
    return subjects.select_related("member", "party_group").order_by("member__name", "pk")


def comments_cast(
    *, evaluation: MemberEvaluation, rater: EvaluationEntry, comments: Mapping[int, str], by: User | None
) -> int:
    """``rater`` writes a short comment (at most ``COMMENT_MAX_LENGTH`` characters) on one or more
    colleagues, each once. ``comments``: entry id → text; blank texts are skipped. Sealed in the request;
    the participation rows and the ciphertexts written in one transaction, so a second comment on the same
    colleague (another tab, a double click) fails whole on the unique constraint and the first is kept.
    Returns how many comments were written. ``by`` is the member's own login (None: the demo, a script)."""
    if rater.evaluation_id != evaluation.pk or (by is not None and rater.member.user_id != by.pk):
        raise PermissionDenied
    if evaluation.status != Status.OPEN:
        raise EvaluationRefused(_("The mutual evaluation is closed."))
    allowed = set(comment_subjects(evaluation=evaluation, rater=rater).values_list("pk", "member_id"))
    by_entry = dict(allowed)
    texts: dict[int, str] = {}
    for entry_id, raw in comments.items():
        text = (raw or "").strip()
        if not text:
            continue
        if entry_id not in by_entry:
            raise EvaluationRefused(_("You cannot comment on this person in this evaluation."))
        if len(text) > COMMENT_MAX_LENGTH:
            raise EvaluationRefused(_("A comment is at most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH})
        texts[entry_id] = text
    if not texts:
        raise EvaluationRefused(_("Write a comment on at least one colleague."))
    public_key = BallotBox.objects.values_list("public_key", flat=True).get(pk=evaluation.box_id)
    sealed = _seal_all(public_key, COMMENT_QUESTION, {by_entry[e]: t for e, t in texts.items()})
    try:
        with transaction.atomic():
            if not _still_open(evaluation.pk):
                raise EvaluationRefused(_("The mutual evaluation is closed."))
            EvaluationCommentBallot.objects.bulk_create(
                [
                    EvaluationCommentBallot(evaluation_id=evaluation.pk, rater_id=rater.pk, subject_id=e)
                    for e in texts
                ]
            )
            SealedBallot.objects.bulk_create(
                [SealedBallot(box_id=evaluation.box_id, ciphertext=s) for s in sealed]
            )
    except IntegrityError:
        raise EvaluationRefused(
            _("You have already commented on this colleague; your first comment is kept.")
        ) from None
    return len(texts)


# --- 群众意见: non-members' opinions with one-time codes ---------------------------------------------------


@transaction.atomic
def opinion_codes_generate(*, evaluation: MemberEvaluation, count: int, by: User | None) -> list[str]:
    """``count`` one-time codes inviting non-members' opinions on the branch's members (the branch invites
    them by issuing codes). Returns the plain codes: only their digests are stored, so this is the one
    moment they can be printed."""
    if by is not None and not may_run(user=by, branch=evaluation.branch):
        raise PermissionDenied
    if evaluation.status != Status.OPEN:
        raise ValidationError(_("Codes are issued while the evaluation is open."))
    if not 1 <= count <= settings.RATING_CODES_PER_BATCH:
        raise ValidationError(
            _("Generate between 1 and %(n)d codes at a time.") % {"n": settings.RATING_CODES_PER_BATCH}
        )
    codes = [_new_code() for _ in range(count)]
    RatingCode.objects.bulk_create(
        [
            RatingCode(evaluation=evaluation, unit_id=evaluation.branch_id, digest=code_digest(c))
            for c in codes
        ]
    )
    return codes


def opinion_code_lookup(raw: str) -> RatingCode | None:
    """The opinion code typed, with its evaluation and branch; None for an unknown code (or a rating
    code: it rates secretaries, not this). One query."""
    code = code_normalize(raw)
    if len(code) != CODE_LENGTH:
        return None
    return (
        RatingCode.objects.select_related("evaluation__branch")
        .filter(digest=code_digest(code), evaluation__isnull=False)
        .first()
    )


def opinion_subjects(*, evaluation: MemberEvaluation) -> QuerySet[EvaluationEntry]:
    """The members a code holder gives opinions on: every party member of the evaluation."""
    return (
        EvaluationEntry.objects.filter(evaluation_id=evaluation.pk)
        .select_related("member")
        .order_by("member__name", "pk")
    )


def _invalid() -> EvaluationRefused:
    return EvaluationRefused(_("This code is not valid. Check it and type it again."))


def opinions_cast(*, code: str, opinions: Mapping[int, str], overall: str = "") -> int:
    """A code holder's opinions: per member (entry id → text) and/or on the branch as a whole, each at
    most ``OPINION_MAX_LENGTH`` characters; then the code is spent. Sealed in the request; in one
    transaction the code is marked used by a conditional UPDATE (of two concurrent submissions one spends
    it, the other matches nothing and is refused) and the ciphertexts are written. Nothing links the code
    to what was said. Returns how many opinions were given."""
    normalized = code_normalize(code)
    if len(normalized) != CODE_LENGTH:
        raise _invalid()
    found = (
        RatingCode.objects.filter(digest=code_digest(normalized), evaluation__isnull=False)
        .values_list("pk", "used", "evaluation_id", "evaluation__status", "evaluation__box_id")
        .first()
    )
    if found is None:
        raise _invalid()
    code_id, used, evaluation_id, status, box_id = found
    if used:
        raise EvaluationRefused(_("This code has already been used; each code works once."))
    if status != Status.OPEN:
        raise EvaluationRefused(_("The evaluation no longer takes opinions."))
    members = dict(EvaluationEntry.objects.filter(evaluation_id=evaluation_id).values_list("pk", "member_id"))
    texts: dict[int, str] = {}
    for entry_id, raw in opinions.items():
        text = (raw or "").strip()
        if not text:
            continue
        if entry_id not in members:
            raise EvaluationRefused(_("This code cannot give an opinion on that person."))
        texts[members[entry_id]] = text
    if overall.strip():
        texts[OVERALL_SUBJECT] = overall.strip()
    if not texts:
        raise EvaluationRefused(_("Write at least one opinion."))
    if any(len(t) > OPINION_MAX_LENGTH for t in texts.values()):
        raise EvaluationRefused(_("An opinion is at most %(n)d characters.") % {"n": OPINION_MAX_LENGTH})
    public_key = BallotBox.objects.values_list("public_key", flat=True).get(pk=box_id)
    sealed = _seal_all(public_key, OPINION_QUESTION, texts)
    with transaction.atomic():
        if not _still_open(evaluation_id):
            raise EvaluationRefused(_("The evaluation no longer takes opinions."))
        if not RatingCode.objects.filter(pk=code_id, used=False).update(used=True):
            raise EvaluationRefused(_("This code has already been used; each code works once."))
        SealedBallot.objects.bulk_create([SealedBallot(box_id=box_id, ciphertext=s) for s in sealed])
    return len(texts)
