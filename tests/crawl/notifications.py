"""Crawl entries of the notifications app (notifications/urls.py): one's own settings and the 组织部's outbox."""

from tests.crawl.registry import SAME, Entry, Target, none, register, signed_in, table

officers = table(403, anonymous=302, zzb=200)


def _delivery(world):
    """A digest of the secretary of A, kept in the outbox (made here: the world's builder knows no digests)."""
    if "delivery" not in world.objects:
        from django.utils import timezone

        from notifications.models import Delivery, Digest

        cast = world.cast
        digest = Digest.objects.create(
            user=cast.alice,
            day=timezone.localdate(),
            university=cast.university,
            subject="党建工作提醒：1 项待办",
            body="· [会议记录待报] 召开支部党员大会",
            item_count=1,
        )
        world.objects["delivery"] = Delivery.objects.create(
            digest=digest,
            channel="email",
            address="alice@uni.example",
            status=Delivery.Status.OUTBOX,
            not_before=timezone.now(),
        )
    return [Target("in", {"pk": world.objects["delivery"].pk}, "A")]


register(
    Entry("notifications:preferences", none, signed_in(), post=SAME),
    Entry("notifications:outbox", none, officers),
    Entry("notifications:delivery", _delivery, officers),
)
