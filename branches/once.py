"""One-time keys on create forms (STYLE §15): a double click or parallel posts create one record.

A create form carries ``request_key = OnceField()``: a hidden field whose initial value is a fresh random key
each time the form is rendered (a form redisplayed after a validation error keeps its key, since nothing was
created). The service that creates the record wraps the insert::

    @transaction.atomic
    def meeting_save(*, ..., request_key=None):
        ...
        return once(key=request_key, user=by, model=Meeting, create=lambda: _create(...))

``once`` claims the key in the caller's transaction before ``create`` runs. A second request with the same key
waits on the key's primary key until the first commits (PostgreSQL; SQLite's IMMEDIATE transactions queue
the writers before that) and then gets the first request's record instead of creating its own. If the first
request rolls back (a validation error), its claim goes with it and the key is free again. The claim and the
record commit together, so there is never a claimed key without its record.

Every app imports this from ``branches``, the lowest app; the grant forms of ``projects`` were the first
users (their per-table ``request_key`` columns remain as a second guard).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import OneTimeKey

M = TypeVar("M", bound=models.Model)

KEEP_DAYS = 30  # a form left open longer than this is treated as new


class OnceField(forms.UUIDField):
    """A hidden one-time key rendered with the form: the service ignores a second POST carrying it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", uuid.uuid4)  # called per rendering: every new form has its own key
        super().__init__(required=False, widget=forms.HiddenInput, **kwargs)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def once_claim(*, key: uuid.UUID | str | None, user: AbstractBaseUser | None, model: type[M]) -> M | None:
    """Claim ``key`` for a new ``model`` record in the caller's transaction.

    None: the key is new (or absent): create the record, then ``once_bind`` it. A record: a request with
    this key already created it; return it instead of creating another. A key that belongs to another user
    or another kind of record is refused: keys are not a way to reach someone else's record."""
    if key is None or key == "":
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("once_claim() must run inside the service's transaction")
    try:
        key = key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
    except ValueError:
        raise ValidationError(_("This form was already sent. Reload the page and try again.")) from None
    label = _label(model)
    user_id = getattr(user, "pk", None)
    try:
        with transaction.atomic():  # a savepoint: a lost race must not abort the caller's transaction
            OneTimeKey.objects.create(key=key, kind=label, user_id=user_id)
    except IntegrityError:
        claimed = OneTimeKey.objects.filter(key=key).first()
        existing = None
        if claimed is not None and claimed.kind == label and claimed.user_id == user_id and claimed.object_id:
            existing = model._default_manager.filter(pk=claimed.object_id).first()
        if existing is None:  # another's key, or its record was deleted since: the form is spent all the same
            raise ValidationError(_("This form was already sent. Reload the page and try again.")) from None
        return existing
    return None


def once_bind(*, key: uuid.UUID | str | None, record: models.Model) -> None:
    """Tie a claimed key to the record just created (same transaction as the claim)."""
    if key is not None and key != "":
        OneTimeKey.objects.filter(key=key).update(object_id=record.pk)


def once(
    *, key: uuid.UUID | str | None, user: AbstractBaseUser | None, model: type[M], create: Callable[[], M]
) -> M:
    """Run ``create`` once per ``key``; a repeated key returns the record the first call created.

    Must run inside the caller's transaction (a service decorated with ``transaction.atomic``). Without a key
    (an old form, a script) it simply creates."""
    existing = once_claim(key=key, user=user, model=model)
    if existing is not None:
        return existing
    record = create()
    once_bind(key=key, record=record)
    return record


def once_keys_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete keys older than KEEP_DAYS (the daily step): a form that old is sent as a new one."""
    now = now or timezone.now()
    deleted, _detail = OneTimeKey.objects.filter(
        created_at__lt=now - datetime.timedelta(days=KEEP_DAYS)
    ).delete()
    return deleted
