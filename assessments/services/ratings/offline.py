"""The offline channel: the 组织部 types the scores of a paper form."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.history import history_by
from branches.selectors import MANAGE_UNITS, require_organization_permission

from assessments.models import (
    OfflineScore,
    RatingTarget,
)


# --- the offline channel --------------------------------------------------------------------------------


def offline_lines_parse(text: str) -> list[tuple[str, Decimal]]:
    """The 组织部's typing of a paper form: one committee member per line, ``name score`` (a space, a tab,
    a comma or a colon between). Errors name the line."""
    rows: list[tuple[str, Decimal]] = []
    errors = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = re.split(r"[\s,，:：]+", line)
        if len(parts) != 2:
            errors.append(_("Line %(n)d: write a name and a score, e.g. 王伟 92.") % {"n": number})
            continue
        name, raw = parts
        try:
            score = Decimal(raw)
        except InvalidOperation:
            errors.append(_("Line %(n)d: %(value)s is not a number.") % {"n": number, "value": raw})
            continue
        # A finite score once the range check passes, whose exponent is an int (the cast tells mypy so).
        if not Decimal(0) <= score <= Decimal(100) or cast(int, score.as_tuple().exponent) < -2:
            errors.append(
                _("Line %(n)d: the score must be between 0 and 100 (two decimals at most).") % {"n": number}
            )
            continue
        if name in seen:
            errors.append(_("Line %(n)d: %(name)s is listed twice.") % {"n": number, "name": name})
            continue
        seen.add(name)
        rows.append((name[:60], score))
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def offline_scores_set(
    *, target: RatingTarget, rows: list[tuple[str, Decimal]], by: User | None
) -> dict[str, int]:
    """Replace one secretary's offline scores with ``rows`` (committee member, score); every change —
    added, changed, removed — is kept in the history with who made it."""
    if by is not None:
        require_organization_permission(user=by, organization=target.campaign.scope, codename=MANAGE_UNITS)
    current = {s.assessor: s for s in OfflineScore.objects.select_for_update().filter(target=target)}
    wanted = dict(rows)
    counts = {"added": 0, "changed": 0, "removed": 0}
    for assessor, old in current.items():
        if assessor not in wanted:
            history_by(old, by)
            old.delete()
            counts["removed"] += 1
    for assessor, value in wanted.items():
        score = current.get(assessor)
        if score is None:
            score = OfflineScore(target=target, assessor=assessor, score=value, entered_by=by)
            history_by(score, by)
            score.save()
            counts["added"] += 1
        elif score.score != value:
            score.score = value
            score.entered_by = by
            history_by(score, by)
            score.save(update_fields=["score", "entered_by"])
            counts["changed"] += 1
    return counts
