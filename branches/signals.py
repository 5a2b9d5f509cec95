"""Signals branches sends so higher apps can react without branches importing them (DESIGN §3)."""

from django.dispatch import Signal

# Sent inside the deactivation transaction with ``organizations`` (a queryset of the subtree).
# A receiver that must veto raises django.core.exceptions.ValidationError.
organization_deactivating = Signal()
