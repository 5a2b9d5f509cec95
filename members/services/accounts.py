"""Accounts of people who sign on through the university's CAS (issue 20): found, linked or created by their
campus number (工号 / 学号), so no one is handed a password to remember."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from branches.history import history_reason
from members.models import Member
from members.resources import CAMPUS_NUMBER


def campus_sign_on(*, number: str, name: str = "", email: str = "") -> User | None:
    """The account a CAS login with campus number ``number`` signs in to, or None (refused).

    In this order: the login of the member whose campus number it is; an account whose username is the
    number (a rater put on a roster, an account made by hand), which the member is then linked to; for a
    member on file without a login, a new account named after the number, without a usable password; for a
    number on file nowhere, a bare account only with ``CAS_CREATE_UNKNOWN``. ``name`` and ``email`` (the
    attributes the server sent, if any) fill an account's empty name and replace its address.
    """
    number = (number or "").strip()
    if not CAMPUS_NUMBER.match(number):
        return None
    User = get_user_model()
    try:
        with transaction.atomic():
            user = _account(User, number=number, name=name)
            if user is None:
                return None
            changed = []
            if name and not user.first_name:
                user.first_name = name[: User._meta.get_field("first_name").max_length]
                changed.append("first_name")
            email_length = cast(int, User._meta.get_field("email").max_length)  # an EmailField's: 254
            if email and len(email) <= email_length and user.email != email:
                user.email = email
                changed.append("email")
            if changed:
                user.save(update_fields=changed)
            return user
    except IntegrityError:
        # Two first sign-ons of one person at once: the other request created the account; use it.
        return User.objects.filter(username__iexact=number).first()


def _account(User, *, number: str, name: str):
    # Locked without a join: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    member = Member.objects.select_for_update().filter(campus_number__iexact=number).first()
    if member is not None and member.user_id is not None:
        return member.user
    user = User.objects.filter(username__iexact=number).first()
    if member is None:
        if user is not None:
            return user
        if not settings.CAS_CREATE_UNKNOWN:
            return None
        return User.objects.create_user(username=number, password=None, first_name=name[:150])
    if user is None:
        user = User.objects.create_user(
            username=number, password=None, first_name=(name or member.name)[:150]
        )
    elif Member.objects.filter(user=user).exists():
        return None  # the number's account already belongs to another member: an administrator must look
    member.user = user
    history_reason(member, "campus sign-on")
    member.save(update_fields=["user"])
    return user
