"""QR sign-in at a meeting (issue 20): who scanned the secretary's code, and where the minutes' attendance
was set differently from the sign-ins (the secretary's corrections, kept with who made them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from disclosure.models.meetings import Attendance, Meeting
from members.models import Member


class SignIn(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="sign_ins", verbose_name=_("meeting")
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    signed_at = models.DateTimeField(_("signed in at"))

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["meeting", "signed_at"]
        constraints = [
            # Scanning twice is one sign-in (the first one's time is kept).
            models.UniqueConstraint(fields=["meeting", "member"], name="sign_in_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.signed_at:%H:%M}"


class AttendanceCorrection(models.Model):
    """The minutes say otherwise than the sign-ins: a member who signed in but is recorded on leave or absent,
    or one who did not sign in but is recorded present. One row per member and meeting, the latest saving's."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance_corrections", verbose_name=_("meeting")
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    signed_in = models.BooleanField(_("signed in"))
    status = models.CharField(_("attendance"), max_length=10, choices=Attendance.Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    corrected_at = models.DateTimeField(_("corrected at"))

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["meeting", "member"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_correction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"
