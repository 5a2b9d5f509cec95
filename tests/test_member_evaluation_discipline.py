"""党纪处分 in the UI (issue 19): who records it (the committee above the branch, the 组织部 — never the branch),
its bounds and one-time key, and where it shows (the member's record, its history)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from branches.models import Role
from branches.services import role_assign
from members.models import DisciplinaryRecord
from members.services.discipline import discipline_record, may_record_discipline
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def zzb(cast):
    user = UserFactory(username="zzb")
    role_assign(user=user, organization=cast.university, kind=Role.Kind.OFFICER)
    return user


def _post(client, member, **data):
    today = timezone.localdate()
    return client.post(
        reverse("members:discipline_new", args=[member.pk]),
        {
            "request_key": str(uuid.uuid4()),
            "kind": "warning",
            "decided_on": today.isoformat(),
            "decided_by_unit": "计算机学院党委",
            "reason": "违反工作纪律",
            **data,
        },
    )


def test_who_may_record(cast, zzb):
    member = cast.bob_member
    assert may_record_discipline(user=cast.officer, member=member)  # the committee above the branch
    assert may_record_discipline(user=zzb, member=member)  # the 组织部 on the root
    assert not may_record_discipline(user=cast.alice, member=member)  # the branch's own secretary
    assert not may_record_discipline(user=cast.charlie, member=member)  # another branch
    assert not may_record_discipline(
        user=cast.officer, member=cast.charlie_member
    )  # another committee's branch


def test_branch_secretary_refused_and_service_guarded(cast):
    assert (
        login(cast.alice).get(reverse("members:discipline_new", args=[cast.bob_member.pk])).status_code == 403
    )
    assert _post(login(cast.alice), cast.bob_member).status_code == 403
    with pytest.raises(PermissionDenied):
        discipline_record(
            member=cast.bob_member,
            kind="warning",
            decided_on=timezone.localdate(),
            decided_by_unit="x",
            reason="y",
            by=cast.alice,
        )
    assert not DisciplinaryRecord.objects.exists()


def test_committee_records_and_it_shows_on_the_record_with_history(cast):
    client = login(cast.officer)
    page = client.get(reverse("members:detail", args=[cast.bob_member.pk])).content.decode()
    assert reverse("members:discipline_new", args=[cast.bob_member.pk]) in page
    response = _post(client, cast.bob_member)
    assert response.status_code == 302
    record = DisciplinaryRecord.objects.get()
    assert record.recorded_by == cast.officer and record.kind == "warning"
    assert record.history.get().history_user == cast.officer
    # The member reads it on their own record; the branch's secretary (who manages them) too, without the link.
    own = login(cast.bob).get(reverse("members:me")).content.decode()
    assert "违反工作纪律" in own
    branch_view = login(cast.alice).get(reverse("members:detail", args=[cast.bob_member.pk])).content.decode()
    assert "违反工作纪律" in branch_view
    assert reverse("members:discipline_new", args=[cast.bob_member.pk]) not in branch_view


def test_same_key_records_once(cast):
    key = str(uuid.uuid4())
    client = login(cast.officer)
    assert _post(client, cast.bob_member, request_key=key).status_code == 302
    assert _post(client, cast.bob_member, request_key=key).status_code == 302
    assert DisciplinaryRecord.objects.count() == 1


@pytest.mark.parametrize("days, ok", [(0, True), (1, False)])
def test_decided_on_not_in_the_future(cast, days, ok):
    today = timezone.localdate()
    day = today + datetime.timedelta(days=days)
    if ok:
        discipline_record(
            member=cast.bob_member,
            kind="warning",
            decided_on=day,
            decided_by_unit="计算机学院党委",
            reason="违纪",
            by=cast.officer,
            today=today,
        )
    else:
        with pytest.raises(ValidationError) as exc:
            discipline_record(
                member=cast.bob_member,
                kind="warning",
                decided_on=day,
                decided_by_unit="计算机学院党委",
                reason="违纪",
                by=cast.officer,
                today=today,
            )
        assert "decided_on" in exc.value.message_dict


def test_form_errors_kept_on_the_page(cast):
    client = login(cast.officer)
    response = _post(client, cast.bob_member, reason="", kind="nonsense", decided_on="1800-01-01")
    assert response.status_code == 200
    form = response.context["form"]
    assert {"reason", "kind", "decided_on"} <= set(form.errors)
    assert not DisciplinaryRecord.objects.exists()
