"""Signals members sends so higher apps can react without members importing them (DESIGN §3)."""

from django.dispatch import Signal

# Sent inside the transaction once ``member`` (a Member) has left ``branch``'s active roster — a death or a
# departure (member_depart: ``reason`` is the Member.LeftReason) or a completed transfer out of the branch
# (transfer_complete: ``reason`` "transfer") — with ``left_on``: a higher app drops them from what is still
# running there (an open evaluation).
member_left_roster = Signal()
