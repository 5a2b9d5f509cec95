"""Notifications: what was reported to whom (once), the daily digests and every delivery with its attempts.

The items themselves belong to other apps (to-dos, deadlines): they register *sources* (``notifications.sources``)
and this app keeps only the record that an item was reported, so nothing is reported twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branches.models import Organization


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom message")
    SMS = "sms", _("SMS")


class Preference(models.Model):
    """How one person wants to be reached. No row: e-mail only, no quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_preference",
        verbose_name=_("user"),
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    wecom = models.BooleanField(_("by WeCom message"), default=False)
    sms = models.BooleanField(_("by SMS"), default=False)
    # The 企业微信 account (userid) when it is not the portal's user name (CAS 工号 usually is both).
    wecom_user_id = models.CharField(_("WeCom user id"), max_length=64, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Nothing is delivered between these times (Beijing time); they may wrap midnight (22:00–07:00).
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                name="preference_quiet_hours_both_or_none",
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | Q(quiet_from__isnull=False, quiet_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def channels(self) -> list[str]:
        return [channel for channel in Channel.values if getattr(self, channel)]


class SourceSetting(models.Model):
    """An administrator's settings for one registered source (``notifications.sources``): whether it is
    reported at all and after how many days overdue an item goes to the unit above (empty: never)."""

    source = models.CharField(_("source"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after days overdue"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("notification source")
        verbose_name_plural = _("notification sources")
        constraints = [
            models.CheckConstraint(
                name="source_escalation_within_a_year",
                condition=Q(escalate_after_days__isnull=True) | Q(escalate_after_days__lte=366),
            ),
        ]

    def __str__(self) -> str:
        return self.source


class ReportedItem(models.Model):
    """One item reported to one person: the unique key is what makes "nothing reported twice" hold."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=160)
    digest = models.ForeignKey(
        "Digest",
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=pgettext_lazy("notification", "digest"),
    )
    source = models.CharField(_("source"), max_length=40)
    text = models.CharField(_("text"), max_length=240)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)

    class Meta:
        verbose_name = _("reported item")
        verbose_name_plural = _("reported items")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="reported_once_per_user_and_key")]

    def __str__(self) -> str:
        return self.text


class Escalation(models.Model):
    """An overdue item sent to the unit above, once per item whoever holds the roles."""

    key = models.CharField(_("key"), max_length=160, unique=True)
    source = models.CharField(_("source"), max_length=40)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    escalated_to = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("escalated to")
    )
    due_on = models.DateField(_("due on"))
    escalated_on = models.DateField(_("escalated on"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return self.key


class Digest(models.Model):
    """One person's daily message: every item due for them not reported before."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_digests",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    # The university the items came from: the 组织部 of that university sees the digest on its outbox page.
    university = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("university"),
    )
    subject = models.CharField(pgettext_lazy("message", "subject"), max_length=120)
    body = models.TextField(_("body"))
    item_count = models.PositiveIntegerField(_("items"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("notification", "digest")
        verbose_name_plural = _("digests")
        indexes = [models.Index(fields=["user", "day"], name="digest_user_day")]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """A digest on one channel, with its outcome. A task claims it (PENDING → SENDING) and records each try."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")
        OUTBOX = "outbox", _("Kept in the outbox")

    digest = models.ForeignKey(
        Digest,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=pgettext_lazy("notification", "digest"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Not before this time: quiet hours, or the back-off after a failed try.
    not_before = models.DateTimeField(_("not before"))
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["digest", "channel"], name="delivery_once_per_channel")
        ]
        # The sweeper's "what is due to be sent" and the outbox page's filter by status.
        indexes = [models.Index(fields=["status", "not_before"], name="delivery_status_due")]

    def __str__(self) -> str:
        return f"{self.digest} / {self.channel}"


class DeliveryAttempt(models.Model):
    """One try of a delivery and what the channel answered."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Failed, will retry")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="tries", verbose_name=_("delivery")
    )
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.outcome}"
