from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.signals import organization_deactivating
from members.models import Member


@receiver(organization_deactivating, sender=Organization)
def refuse_deactivating_units_with_members(sender, organizations, **kwargs) -> None:
    """A unit is dissolved only after its members have been transferred (组织关系接转)."""
    remaining = Member.objects.active().filter(branch__in=organizations).count()
    if remaining:
        raise ValidationError(
            _("%(count)d active members still belong to this unit; transfer them first.")
            % {"count": remaining}
        )
