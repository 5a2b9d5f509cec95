"""What every part of the ratings' writes shares: the rated kinds and the refusal. The manager's check is
branches' ``require_organization_permission`` with MANAGE_UNITS on the unit (``by`` None: a trusted caller)."""

from __future__ import annotations


from branches.models import Organization

from assessments.models import (
    RatingCampaign,
)


# Rated units: committees, general branches and branches (their secretaries report to staff and students).
RATED_KINDS = (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH, Organization.Kind.BRANCH)
DEFAULT_DIMENSIONS = (("政治建设", 30), ("履职尽责", 30), ("工作实绩", 25), ("作风形象", 15))


class RatingRefused(Exception):
    """A rating that cannot be counted, with the message for the rater. ``reason`` is one of
    ``closed``, ``already``, ``not_eligible``, ``invalid_code``, ``incomplete``."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def _in_scope(campaign: RatingCampaign, unit: Organization) -> bool:
    return unit.path.startswith(campaign.scope.path)
