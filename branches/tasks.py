"""Celery adapters: take ids, call a service."""

from celery import shared_task


@shared_task
def figures_refresh_all() -> int:
    """Recompute every tree's dashboard figures; run by beat every FIGURES_REFRESH_MINUTES. Returns the units."""
    from branches.figures import figures_refresh

    return figures_refresh().units


@shared_task
def figures_refresh_unit(organization_id: int) -> int:
    """Recompute the figures of one unit's university (queued, debounced, by ``figures_changed``)."""
    from branches.figures import figures_refresh
    from branches.models import Organization

    unit = Organization.objects.filter(pk=organization_id).first()
    if unit is None:
        return 0
    return figures_refresh(unit=unit).units


@shared_task
def once_keys_expire() -> int:
    """Forget create forms' one-time keys older than a month (beat, daily); idempotent."""
    from branches.once import once_keys_expire as expire

    return expire()
