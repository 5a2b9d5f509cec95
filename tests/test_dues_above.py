"""Issue 22: dues are the branch's to record. A committee's secretary (the demo's dw10) or commissioner and the
组织部 read the ledger, its exports and the year's list; the dues import is neither offered to them nor accepted
from them (a 403 in Chinese), and the year's list is published by the branch."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.models import Role
from branches.services import role_assign
from disclosure.models import Post
from members.models import DuesPayment
from members.services.dues import dues_declare, dues_may_record
from members.services.tabular import DUES_COLUMNS, dues_import
from tests.conftest import login
from tests.factories import UserFactory
from tests.xlsx_helpers import build_xlsx

REFUSAL = "党费由支部登记（支部书记、副书记、组织委员）；上级党组织查阅台账并审批党费减免。"
LINE = {"姓名": "鲍勃", "月份": "2025-03", "状态": "已交"}


@pytest.fixture
def committee_secretary(cast):
    """The committee's secretary (dw10 in the demo): a secretary role, but on the committee, not the branch."""
    user = UserFactory(username="dw10")
    role_assign(user=user, organization=cast.c1, kind=Role.Kind.SECRETARY)
    return user


@pytest.fixture
def declared(cast):
    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal(4000),
        valid_from=datetime.date(2025, 1, 1),
        by=None,
    )


def _upload():
    return SimpleUploadedFile("d.xlsx", build_xlsx([LINE], DUES_COLUMNS))


def test_a_secretary_role_on_the_committee_does_not_record_the_branchs_dues(cast, committee_secretary):
    assert not dues_may_record(user=committee_secretary, branch=cast.branch_a)
    # Nor the committee's own "ledger": only a branch keeps one.
    assert not dues_may_record(user=committee_secretary, branch=cast.c1)
    assert dues_may_record(user=cast.alice, branch=cast.branch_a)


@pytest.mark.parametrize("scope", ["branch_a", "c1"])
def test_the_dues_import_service_refuses_a_unit_above(cast, committee_secretary, declared, scope):
    for user in (committee_secretary, cast.officer):
        with pytest.raises(PermissionDenied) as refused:
            dues_import(
                data=build_xlsx([LINE], DUES_COLUMNS), filename="d.xlsx", scope=getattr(cast, scope), by=user
            )
        assert str(refused.value) == REFUSAL
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize("unit", ["branch_a", "c1"])
def test_the_import_page_does_not_offer_dues_above_the_branch(cast, committee_secretary, unit):
    pk = getattr(cast, unit).pk
    page = login(committee_secretary).get(reverse("members:lifecycle_import", args=[pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="development"' in html and 'value="dues"' not in html and "dues.xlsx" not in html
    template = login(committee_secretary).get(reverse("members:lifecycle_import_template", args=[pk, "dues"]))
    assert template.status_code == 403 and REFUSAL in template.content.decode()


@pytest.mark.parametrize("unit", ["branch_a", "c1"])
def test_a_dues_file_from_a_unit_above_is_a_403_in_chinese(cast, committee_secretary, declared, unit):
    url = reverse("members:lifecycle_import", args=[getattr(cast, unit).pk])
    for user in (committee_secretary, cast.officer):
        response = login(user).post(url, {"what": "dues", "file": _upload()})
        assert response.status_code == 403
        assert REFUSAL in response.content.decode()
    assert not DuesPayment.objects.exists()


def test_the_branch_secretary_is_offered_and_imports_dues(cast, as_alice, declared):
    url = reverse("members:lifecycle_import", args=[cast.branch_a.pk])
    assert 'value="dues"' in as_alice.get(url).content.decode()
    assert (
        as_alice.get(
            reverse("members:lifecycle_import_template", args=[cast.branch_a.pk, "dues"])
        ).status_code
        == 200
    )
    response = as_alice.post(url, {"what": "dues", "file": _upload()})
    assert response.status_code == 302 and DuesPayment.objects.get().recorded_by == cast.alice


def test_units_above_read_the_ledger_and_its_exports(cast, committee_secretary, declared):
    client = login(committee_secretary)
    ledger = client.get(reverse("members:dues", args=[cast.branch_a.pk])).content.decode()
    assert 'id="dues-readonly"' in ledger and 'id="all-paid"' not in ledger
    assert client.get(reverse("members:dues_export", args=[cast.branch_a.pk, 2025])).status_code == 200
    assert client.get(reverse("members:dues_docx", args=[cast.branch_a.pk, 2025])).status_code == 200


def test_the_year_list_is_published_by_the_branch_only(cast, as_alice, committee_secretary, declared):
    url = reverse("disclosure:dues_list_publish", args=[cast.branch_a.pk, 2025])
    year = reverse("members:dues_year", args=[cast.branch_a.pk, 2025])
    for user in (committee_secretary, cast.officer):
        client = login(user)
        page = client.get(year)
        assert page.status_code == 200 and f'action="{url}"' not in page.content.decode()
        response = client.post(url)
        assert response.status_code == 403 and REFUSAL in response.content.decode()
    assert not Post.objects.exists()
    assert f'action="{url}"' in as_alice.get(year).content.decode()
    assert as_alice.post(url).status_code == 302 and Post.objects.count() == 1
