"""The review step (DESIGN §10): a submitted record waits for a reviewer, who returns it to its unit with a
reason (退回) — the unit changes it and submits it again.

Meetings, posts, plans, grants and assessments each wrote this by hand, a little differently (the order of
the checks, whether the reviewer and the time are kept, whether the history row names the reviewer). The
rule is here once: the record must be awaiting review, the reason is required (and kept without its
surrounding blanks), the record takes the returned status with its reason, reviewer and time, and its
history row names the reviewer. What stays in each app: who may review (its permission), the row lock, the
messages in its own words and the follow-up work (to-dos, caches). Posts use it (``post_check_return``),
and so do the minutes (``meeting_return``), the annual plans' items (``plan_item_decide``), the grant
applications (``grant_return``), the members' evaluations and their follow-up steps (``evaluation_decide``,
``followup_decide``) and the dues exemptions (``dues_exemption_return``).

A reason longer than its field holds is refused with a message, never cut: the evaluations cut theirs at
1,000 characters without a word, so a reviewer's last sentences were lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.history import history_by


@dataclass(frozen=True)
class ReviewStep:
    """How one model keeps its review: the status a record waits in and the one a return gives it, and the
    fields that hold the reason, the reviewer and the time of the decision (None: the model keeps none)."""

    awaiting: str
    returned: str
    reason_field: str = "return_reason"
    reviewer_field: str | None = None
    reviewed_at_field: str | None = None
    status_field: str = "status"

    def require_awaiting(self, record: models.Model, message: str) -> None:
        """Refuse with ``message`` unless ``record`` awaits review (approving checks the same)."""
        if getattr(record, self.status_field) != self.awaiting:
            raise ValidationError(message)

    def send_back(
        self,
        record: models.Model,
        *,
        by: User | None,
        reason: str,
        not_awaiting: str,
        no_reason: str | dict[str, str],
    ) -> models.Model:
        """Return ``record`` (locked by the caller, its permission checked) to its unit with ``reason``.

        Refused with ``not_awaiting`` unless it awaits review, then with ``no_reason`` for a blank reason
        (a dict names the form field it belongs to) and for one longer than the reason field holds.
        Saves only the fields the step changes (and the model's ``auto_now`` stamps, as a full save would);
        the history row names ``by``."""
        self.require_awaiting(record, not_awaiting)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(no_reason)
        limit = getattr(record._meta.get_field(self.reason_field), "max_length", None)
        if limit is not None and len(reason) > limit:
            raise ValidationError(_("At most %(n)d characters.") % {"n": limit})
        changed: dict[str, object] = {self.status_field: self.returned, self.reason_field: reason}
        if self.reviewer_field is not None:
            changed[self.reviewer_field] = by
        if self.reviewed_at_field is not None:
            changed[self.reviewed_at_field] = timezone.now()
        for name, value in changed.items():
            setattr(record, name, value)
        stamps = [f.name for f in record._meta.concrete_fields if getattr(f, "auto_now", False)]
        history_by(record, by)
        record.save(update_fields=[*changed, *stamps])
        return record
