"""Issue 16: what exists moves to the ballot store.

* Closed campaigns keep their results as tallies (per secretary, dimension and points: the count).
* Running (published) campaigns move to the store in server custody — no trustee could be handed a share
  inside a migration — with a fresh key pair: each old score is sealed to it (in random order) and
  counted when the campaign closes. Their pages label the mode as the weaker one.
* Campaigns in preparation get a box in trustee custody; the shares are made when they are published.
* Every old per-ballot score row is deleted, then the table; ``manage.py ratings_reclaim`` (run by the
  README's upgrade steps and by the daily step after closes) reclaims their space, which VACUUM cannot do
  inside a migration's transaction.
"""

import random
import uuid

from django.conf import settings
from django.db import migrations, models


def forward(apps, schema_editor):
    from assessments import sealing

    Campaign = apps.get_model("assessments", "RatingCampaign")
    Box = apps.get_model("assessments", "BallotBox")
    Score = apps.get_model("assessments", "RatingScore")
    Tally = apps.get_model("assessments", "BallotTally")
    Sealed = apps.get_model("assessments", "SealedBallot")
    rng = random.SystemRandom()
    for campaign in Campaign.objects.filter(box__isnull=True).order_by("pk"):
        scores = list(Score.objects.filter(campaign_id=campaign.pk).values_list("target_id", "points"))
        if campaign.status == "closed":
            box = Box.objects.create(custody="server", opened=True)
            counts = {}
            for target_id, points in scores:
                for dimension, value in points.items():
                    key = (target_id, int(dimension), int(value))
                    counts[key] = counts.get(key, 0) + 1
            Tally.objects.bulk_create([Tally(box=box, subject=s, question=q, value=v, count=n)
                                       for (s, q, v), n in sorted(counts.items())], batch_size=2000)
        elif campaign.status == "published":
            public, private = sealing.keypair_new()
            key = sealing.server_key(key_file=settings.RATING_KEY_FILE, secret_key=settings.SECRET_KEY)
            box = Box.objects.create(custody="server", public_key=public,
                                     wrapped_key=sealing.key_wrap(private, key=key))
            rng.shuffle(scores)
            Sealed.objects.bulk_create([
                Sealed(id=uuid.uuid4(), box=box, ciphertext=sealing.seal(
                    public, subject=target_id, answers={int(d): int(v) for d, v in points.items()}))
                for target_id, points in scores], batch_size=2000)
        else:
            box = Box.objects.create()
        campaign.box = box
        campaign.save(update_fields=["box"])
    Score.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0003_ballot_store"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="RatingScore"),
        migrations.AlterField(
            model_name="ratingcampaign",
            name="box",
            field=models.OneToOneField(on_delete=models.deletion.PROTECT, related_name="campaign",
                                       to="assessments.ballotbox", verbose_name="ballot box"),
        ),
    ]
