"""Issue 16, the migration of what exists: closed campaigns keep their results as tallies, a running one
moves to the sealed store (server custody: no trustee could be handed a share in a migration), the old
per-ballot score rows are deleted with their table, and ``ratings_reclaim`` reclaims their space."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("assessments", "0003_ballot_store")]
AFTER = [("assessments", "0004_ballot_store_data")]


@pytest.fixture(autouse=True)
def _every_migration_applied_again():
    """Migrating back to 0003 unapplies every later migration of the app (and of apps depending on them);
    the tests after this one need the whole schema, so the database goes forward to every leaf again."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_closed_keep_their_tallies_running_ones_are_sealed_and_old_rows_go(cast):
    from branches.models import Role
    from branches.services import role_assign
    from tests.factories import UserFactory

    secretary = UserFactory(username="mig-dw1")
    role = role_assign(user=secretary, organization=cast.c1, kind=Role.Kind.SECRETARY)
    apps = _migrate(BEFORE)
    try:
        Campaign = apps.get_model("assessments", "RatingCampaign")
        Dimension = apps.get_model("assessments", "RatingDimension")
        Target = apps.get_model("assessments", "RatingTarget")
        Score = apps.get_model("assessments", "RatingScore")
        now = timezone.now()
        made = {}
        for status in ("closed", "published", "draft"):
            campaign = Campaign.objects.create(
                name=status,
                year=2026,
                scope_id=cast.university.pk,
                status=status,
                min_raters=1,
                opens_at=now - datetime.timedelta(days=2),
                closes_at=now + datetime.timedelta(days=2),
            )
            dimension = Dimension.objects.create(campaign=campaign, name="政治建设", weight=1)
            target = Target.objects.create(
                campaign=campaign,
                role_id=role.pk,
                organization_id=cast.c1.pk,
                user_id=secretary.pk,
                name="邓伟",
            )
            for value in (100, 80, 80):
                Score.objects.create(
                    id=uuid.uuid4(),
                    campaign=campaign,
                    target=target,
                    points={str(dimension.pk): value},
                    overall=Decimal(value),
                )
            made[status] = (campaign.pk, target.pk, dimension.pk)
    finally:
        apps = _migrate(AFTER)

    from assessments.models import BallotBox, BallotTally, RatingCampaign, SealedBallot

    assert "assessments_ratingscore" not in connection.introspection.table_names()
    closed = RatingCampaign.objects.select_related("box").get(pk=made["closed"][0])
    _pk, target, dimension = made["closed"]
    assert closed.box.opened and {
        (t.subject, t.question, t.value): t.count for t in BallotTally.objects.filter(box=closed.box)
    } == {(target, dimension, 100): 1, (target, dimension, 80): 2}
    running = RatingCampaign.objects.select_related("box").get(pk=made["published"][0])
    assert (
        running.box.custody == BallotBox.Custody.SERVER and running.box.public_key and running.box.wrapped_key
    )
    assert SealedBallot.objects.filter(box=running.box).count() == 3
    assert not BallotTally.objects.filter(box=running.box).exists()
    draft = RatingCampaign.objects.select_related("box").get(pk=made["draft"][0])
    assert draft.box.custody == BallotBox.Custody.TRUSTEES and not draft.box.public_key
    # The running one closes as any server-custody campaign: its three old ratings are counted.
    from assessments.services import ratings as services

    services.campaign_close(campaign=running, by=None)
    _pk, target, dimension = made["published"]
    assert {(t.value, t.count) for t in BallotTally.objects.filter(box=running.box)} == {(100, 1), (80, 2)}
    # VACUUM outside a transaction, through the management command.
    out = io.StringIO()
    call_command("ratings_reclaim", stdout=out)
    assert "VACUUM" in out.getvalue()
