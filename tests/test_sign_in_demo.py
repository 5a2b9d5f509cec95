"""The demo's sign-in step (disclosure/demo_sign_in.py, issue 20): every member gets a campus number, and the
demo secretary's branch a draft meeting this hour with sign-ins, whose minutes form starts from them."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from branches.models import Role
from branches.services import role_assign
from disclosure.demo_sign_in import clear, load
from disclosure.models import Meeting, SignIn
from members.demo import DemoBuilder
from members.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_step_numbers_everyone_and_opens_a_meeting_with_sign_ins(cast):
    secretary = UserFactory(username="zb001")
    role_assign(user=secretary, organization=cast.branch_a, kind=Role.Kind.SECRETARY)
    for _ in range(4):
        MemberFactory(branch=cast.branch_a)
    report = load(DemoBuilder(seed=7, scale=1, today=datetime.date.today()))
    assert "signed in" in report
    assert not Member.objects.filter(campus_number="").exists()
    assert Member.objects.values("campus_number").distinct().count() == Member.objects.count()
    meeting = Meeting.objects.get(organization=cast.branch_a, status=Meeting.Status.DRAFT)
    assert SignIn.objects.filter(meeting=meeting).count() >= 2
    client = Client()
    client.force_login(secretary)
    assert client.get(reverse("disclosure:sign_in_code", args=[meeting.pk])).status_code == 200
    assert "未扫码签到" in client.get(reverse("disclosure:edit", args=[meeting.pk])).content.decode()
    clear()
    assert not SignIn.objects.exists()
