"""Signals members sends so higher apps can react without members importing them (DESIGN §3)."""

from django.dispatch import Signal

# Sent inside member_depart's transaction once ``member`` (a Member) has left the active roster (逝世 or 出党),
# with ``left_on`` and ``reason``: a higher app drops them from what is still running (an open evaluation).
member_left_roster = Signal()
