"""Demo data for 双述双评 (registered with load_demo), in the ballot store's form (issue 16): in the first
university, last year's closed campaign with its results open (tallies only; most secretaries above the
minimum of 5 raters, some below) and the committee's offline scores, and this year's running campaign in
trustee custody (2 of 3) with some participation sealed to its key, rosters for the demo members' logins
(``dy001`` … rate their branch's and committee's secretaries), a few unused codes and the three trustees'
shares, printed by load_demo (a demo has no secrets; a real campaign shows them once).
"""

from __future__ import annotations

import datetime
import random
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

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
from assessments.models.ratings import CODE_ALPHABET, CODE_LENGTH, code_digest, code_display
from assessments.services.ratings import campaign_create, campaign_publish
from branches.models import Organization
from members.demo import DemoBuilder, DemoStep, register_demo_step

UNUSED_CODES = 5
GRADES = (100, 80, 60, 40)
ASSESSORS = ("王建国", "李文华", "张志强", "刘海燕", "陈晓东", "杨振华", "赵春梅")
REPORT = (
    "一年来，{unit}在上级党委领导下，认真落实全面从严治党主体责任，严格执行“三会一课”制度，"
    "按时召开支部党员大会、支委会和党小组会，组织主题党日活动。\n"
    "在发展党员、党员教育管理、党费收缴等方面按规定程序办理，及时公开党务信息。\n"
    "存在的不足：理论学习的深度还不够，联系群众的方式还需创新。下一步将……"
)


def _grade(rng: random.Random, quality: float) -> int:
    """A grade around a secretary's ``quality`` (0–1): better secretaries get more 好."""
    roll = rng.random() * 0.6 + quality * 0.5
    return GRADES[0] if roll > 0.75 else GRADES[1] if roll > 0.5 else GRADES[2] if roll > 0.3 else GRADES[3]


class RatingsDemo:
    def __init__(self, builder: DemoBuilder):
        self.rng = random.Random(f"{builder.seed}:ratings")
        self.today = builder.today
        self.counts: dict[str, int] = {}
        self.codes: list[str] = []
        self.shares: list[str] = []

    def _campaign(self, university, *, year, opens, closes, status):
        campaign = campaign_create(
            scope=university,
            name=f"{year}年度党组织书记述职线上测评",
            year=year,
            opens_at=opens,
            closes_at=closes,
            by=None,
        )
        if status == RatingCampaign.Status.PUBLISHED:
            self.shares = campaign_publish(campaign=campaign, by=None)
        else:  # closed long ago: its box was opened, only the tallies below remain
            BallotBox.objects.filter(pk=campaign.box_id).update(opened=True)
            campaign.status = status
            campaign.save(update_fields=["status"])
        return RatingCampaign.objects.select_related("box").get(pk=campaign.pk)

    def _rate(self, campaign, units_targets, raters_for, quality, *, with_codes: bool) -> tuple[list, int]:
        """Ballots for each unit's raters (code ballots, with used codes, when ``with_codes``) and their
        choices: sealed to the box's key while the campaign runs, as tallies once its box is opened."""
        dimensions = list(campaign.dimensions.all())
        box = campaign.box
        ballots, codes, sealed = [], [], []
        counts: dict[tuple[int, int, int], int] = {}
        for unit, targets in units_targets:
            for rater in raters_for(unit):
                code = None
                if with_codes:
                    code = RatingCode(
                        campaign=campaign,
                        unit=unit,
                        used=True,
                        digest=code_digest(uuid.UUID(int=self.rng.getrandbits(128)).hex),
                    )
                    codes.append(code)
                for target in targets:
                    points = {d.pk: _grade(self.rng, quality[target.pk]) for d in dimensions}
                    ballots.append((target, rater, code))
                    if box.opened:
                        for question, value in points.items():
                            counts[(target.pk, question, value)] = (
                                counts.get((target.pk, question, value), 0) + 1
                            )
                    else:
                        sealed.append(
                            SealedBallot(
                                id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                                box=box,
                                ciphertext=sealing.seal(box.public_key, subject=target.pk, answers=points),
                            )
                        )
        RatingCode.objects.bulk_create(codes, batch_size=2000)
        Ballot.objects.bulk_create(
            [
                Ballot(
                    id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                    campaign=campaign,
                    target=t,
                    rater_id=r,
                    code=c,
                )
                for t, r, c in ballots
            ],
            batch_size=2000,
        )
        SealedBallot.objects.bulk_create(sorted(sealed, key=lambda s: s.id), batch_size=2000)
        BallotTally.objects.bulk_create(
            [
                BallotTally(box=box, subject=s, question=q, value=v, count=n)
                for (s, q, v), n in sorted(counts.items())
            ],
            batch_size=2000,
        )
        return ballots, len(ballots)

    def _units_targets(self, campaign):
        targets = list(RatingTarget.objects.filter(campaign=campaign).select_related("organization"))
        by_path = {t.organization.path: t for t in targets}
        branches = [t.organization for t in targets if t.organization.kind == Organization.Kind.BRANCH]
        return targets, [(b, [by_path[p] for p in b.ancestor_paths() if p in by_path]) for b in branches]

    def run(self) -> dict[str, int]:
        university = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path").first()
        if university is None:
            return {}
        tz = timezone.get_current_timezone()
        last = self.today.year - 1
        with transaction.atomic():
            # --- last year's campaign, closed, with results and offline scores
            closed = self._campaign(
                university,
                year=last,
                status=RatingCampaign.Status.CLOSED,
                opens=datetime.datetime(last, 12, 10, 8, 0, tzinfo=tz),
                closes=datetime.datetime(last, 12, 20, 18, 0, tzinfo=tz),
            )
            targets, units = self._units_targets(closed)
            quality = {t.pk: self.rng.random() for t in targets}
            # Most branches bring 5–14 raters; one in eight only 2–4 (its secretary's mean stays hidden).
            sizes = {
                b.pk: (self.rng.randint(2, 4) if self.rng.random() < 0.125 else self.rng.randint(5, 14))
                for b, _t in units
            }
            ballots, _scores = self._rate(
                closed, units, lambda unit: [None] * sizes[unit.pk], quality, with_codes=True
            )
            offline = []
            for target in targets:
                if target.organization.kind != Organization.Kind.BRANCH or self.rng.random() < 0.5:
                    # The committee's view mostly agrees with the online one; now and then it does not.
                    centre = (
                        55
                        + quality[target.pk] * 40
                        + (self.rng.choice((-18, 18)) if self.rng.random() < 0.1 else 0)
                    )
                    for name in self.rng.sample(ASSESSORS, self.rng.randint(3, 5)):
                        score = max(0, min(100, round(self.rng.gauss(centre, 4), 1)))
                        offline.append(OfflineScore(target=target, assessor=name, score=Decimal(str(score))))
            OfflineScore.objects.bulk_create(offline, batch_size=2000)
            OfflineScore.history.bulk_history_create(offline, default_change_reason="load_demo")
            RatingTarget.objects.filter(campaign=closed).update(report_text=REPORT.format(unit="本支部"))
            self.counts.update(closed_ballots=len(ballots), offline=len(offline))

            # --- this year's campaign, running: rosters for the demo members, some of them have rated
            now = timezone.now()
            running = self._campaign(
                university,
                year=self.today.year,
                status=RatingCampaign.Status.PUBLISHED,
                opens=now - datetime.timedelta(days=1),
                closes=now + datetime.timedelta(days=10),
            )
            targets, units = self._units_targets(running)
            RatingTarget.objects.filter(campaign=running).update(report_text=REPORT.format(unit="本单位"))
            quality = {t.pk: self.rng.random() for t in targets}
            from members.models import Member

            logins = dict(
                Member.objects.filter(
                    user__username__regex=r"^dy\d{3}$", branch__path__startswith=university.path
                ).values_list("branch_id", "user_id")
            )
            students = set(
                Organization.objects.filter(
                    pk__in=list(logins), category=Organization.Category.STUDENT
                ).values_list("pk", flat=True)
            )
            RaterEligibility.objects.bulk_create(
                [
                    RaterEligibility(
                        campaign=running,
                        user_id=user_id,
                        unit_id=branch_id,
                        kind=RaterEligibility.Kind.STUDENT
                        if branch_id in students
                        else RaterEligibility.Kind.STAFF,
                    )
                    for branch_id, user_id in logins.items()
                ],
                batch_size=2000,
            )
            # A third of the demo members have rated already (dy001 has not: try it).
            voted = {b.pk for b, _t in units if self.rng.random() < 0.33} - {
                m for m in Member.objects.filter(user__username="dy001").values_list("branch_id", flat=True)
            }
            ballots, _scores = self._rate(
                running,
                [(b, t) for b, t in units if b.pk in voted and b.pk in logins],
                lambda unit: [logins[unit.pk]],
                quality,
                with_codes=False,
            )
            # Code holders at some branches' report meetings.
            _codes_ballots, _s = self._rate(
                running,
                [(b, t) for b, t in units if b.pk in voted],
                lambda unit: [None] * self.rng.randint(1, 6),
                quality,
                with_codes=True,
            )
            first_branch = units[0][0]
            for _ in range(UNUSED_CODES):
                code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                self.codes.append(code)
            RatingCode.objects.bulk_create(
                [RatingCode(campaign=running, unit=first_branch, digest=code_digest(c)) for c in self.codes]
            )
            self.counts.update(running_ballots=len(ballots) + len(_codes_ballots), rosters=len(logins))
            self.first_branch = first_branch
        return self.counts


def ratings_demo_clear() -> None:
    """Delete every campaign and what hangs on it (ballots, scores, codes, rosters, offline scores)."""
    Ballot.objects.all().delete()
    SealedBallot.objects.all().delete()
    BallotTally.objects.all().delete()
    OfflineScore.history.all().delete()
    OfflineScore.objects.all().delete()
    RatingCode.objects.all().delete()
    RaterEligibility.objects.all().delete()
    RatingTarget.history.all().delete()
    RatingTarget.objects.all().delete()
    RatingDimension.history.all().delete()
    RatingCampaign.history.all().delete()
    RatingCampaign.objects.all().delete()
    BallotBox.objects.all().delete()


def _load(builder: DemoBuilder) -> str:
    demo = RatingsDemo(builder)
    counts = demo.run()
    if not counts:
        return "no university"
    # One code and one share a line (issue 22): load_demo indents a report's further lines.
    codes = "".join(f"\n  {code_display(c)}" for c in demo.codes)
    shares = "".join(f"\n  {sealing.share_display(s)}" for s in demo.shares)
    return (
        f"last year's campaign closed with {counts['closed_ballots']} ratings and {counts['offline']} offline "
        f"scores; this year's running with {counts['running_ballots']} ratings, {counts['rosters']} demo "
        f"members on the rosters (dy001 … rate their secretaries)."
        f"\nFive unused rating codes for {demo.first_branch.name}:{codes}"
        f"\nIts trustees' shares (2 of 3 open the results after the close):{shares}"
    )


register_demo_step(DemoStep(name="ratings", load=_load, clear=ratings_demo_clear))

import assessments.demo_evaluation  # noqa: E402, F401  (issue 19: registers the 民主评议 demo step)
import assessments.demo_evaluation_remarks  # noqa: E402, F401  (issue 19: 党员互评 and 群众意见, after it)
