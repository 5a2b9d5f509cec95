"""The trustees' count of a big campaign on PostgreSQL (issue 16.4: closing a campaign of 10,000 ballots
≤ 10 s), beside /healthz served by gunicorn in the same run so the machine's load is visible.

    .venv/bin/python bench/ratings_close.py                   # 10,000 ballots, 3 repeats
    .venv/bin/python bench/ratings_close.py --ballots 50000 --repeat 1

Set-up (untimed, per repeat): on the demo database ``portal_bench6`` (bench/loadlib.py) a campaign over
the university (every secretary a target, four dimensions), published in trustee custody (2 of 3), then
``--ballots`` sealed choices written straight into its box (each a real libsodium sealed box of a whole
form for one secretary: the shape the web process writes) and the campaign closed. Timed: the trustees'
``campaign_results_open`` with two shares — rebuild the key, decrypt every ciphertext, count, write the
tallies, delete the ciphertexts, commit. Afterwards the tallies are checked: every ballot counted once per
dimension and no ciphertext left. Exit status 0 when every repeat is ≤ 10 s (per 10,000 ballots) and the
counts hold.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadlib import demo_database, django_setup, served, wrk  # noqa: E402

REDIS = "redis://127.0.0.1:6379/15"
GOAL_SECONDS_PER_10K = 10.0


def one_count(ballots: int) -> tuple[float, float, int, int]:
    """Returns (seconds to seal the fixtures, seconds of the count, choices counted, ciphertexts left)."""
    from django.db.models import Sum
    from django.utils import timezone

    from assessments import sealing
    from assessments.models import BallotBox, BallotTally, RatingCampaign, SealedBallot
    from assessments.services import ratings as services
    from branches.models import Organization

    university = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path").first()
    RatingCampaign.objects.filter(name="bench-close").delete()
    now = timezone.now()
    campaign = services.campaign_create(
        scope=university,
        name="bench-close",
        year=now.year,
        by=None,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        custody=BallotBox.Custody.TRUSTEES,
        threshold=2,
        trustees=3,
    )
    shares = services.campaign_publish(campaign=campaign, by=None)
    campaign = RatingCampaign.objects.select_related("box").get(pk=campaign.pk)
    targets = list(campaign.targets.values_list("pk", flat=True))
    dimensions = list(campaign.dimensions.values_list("pk", flat=True))
    started = time.perf_counter()
    SealedBallot.objects.bulk_create(
        [
            SealedBallot(
                box=campaign.box,
                ciphertext=sealing.seal(
                    campaign.box.public_key,
                    subject=targets[i % len(targets)],
                    answers={d: (100, 80, 60, 40)[(i + j) % 4] for j, d in enumerate(dimensions)},
                ),
            )
            for i in range(ballots)
        ],
        batch_size=2000,
    )
    sealing_seconds = time.perf_counter() - started
    campaign = services.campaign_close(campaign=campaign, by=None)
    started = time.perf_counter()
    counted = services.campaign_results_open(campaign=campaign, shares=shares[:2], by=None)
    seconds = time.perf_counter() - started
    per_dimension = BallotTally.objects.filter(box=campaign.box, question=dimensions[0]).aggregate(
        n=Sum("count")
    )
    left = SealedBallot.objects.filter(box=campaign.box).count()
    assert counted == ballots and per_dimension["n"] == ballots, (counted, per_dimension)
    RatingCampaign.objects.filter(pk=campaign.pk).delete()
    return sealing_seconds, seconds, counted, left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    url = demo_database("portal_bench6", scale=1)
    with served(database_url=url, redis_url=REDIS, workers=2) as base:
        minimal = wrk(base + "/healthz", connections=4, seconds=3)
    django_setup(database_url=url, redis_url=REDIS)
    goal = GOAL_SECONDS_PER_10K * args.ballots / 10_000
    print(
        f"ratings close bench: PostgreSQL, one process; /healthz beside it: {minimal['rps']:.0f} req/s, "
        f"p95 {minimal['p95_ms']:.2f} ms (4 connections, 3 s)"
    )
    ok = True
    for index in range(args.repeat):
        sealing_seconds, seconds, counted, left = one_count(args.ballots)
        met = seconds <= goal and left == 0
        ok &= met
        print(
            f"  repeat {index + 1}: sealed {counted:,} ballots in {sealing_seconds:.2f} s (set-up); "
            f"trustees' count {seconds:.2f} s ({counted / seconds:,.0f} ballots/s); ciphertexts left {left}"
        )
    print(
        f"goal (count of {args.ballots:,} ballots ≤ {goal:.0f} s, nothing left): {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
