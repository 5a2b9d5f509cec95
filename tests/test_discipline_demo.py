"""load_demo's 党纪处分 (assessments/demo_commendation.py, issue 19): two sanctions recorded last year by the
nominees' committees during the 公示 of last year's commendation, each nominee not awarded with the rule's
reason, and the sanction on the member's record. The demo is the session's (tests/conftest.py)."""

import pytest
from django.urls import reverse
from django.utils import translation

from branches.dates import prose_date

from assessments.models.commendation import Nomination
from members.models import DisciplinaryRecord
from tests.conftest import login


@pytest.fixture
def db_demo(session_demo, db):
    return session_demo


def test_two_sanctions_last_year_refuse_their_nominees(db_demo):
    last = db_demo.today.year - 1
    records = list(DisciplinaryRecord.objects.select_related("member"))
    assert len(records) == 2
    assert {r.decided_on.year for r in records} == {last}
    assert len({r.kind for r in records}) == 2 and all(r.history.count() == 1 for r in records)
    for record in records:
        nomination = Nomination.objects.get(member=record.member, commendation__year=last, kind="member")
        assert nomination.status == Nomination.Status.NOT_AWARDED
        assert (
            "党纪处分" in nomination.decision_note
            and prose_date(record.decided_on) in nomination.decision_note
        )


def test_the_sanction_shows_on_the_record_for_the_committee(db_demo):
    from members.services.discipline import may_record_discipline
    from branches.models import Role

    record = DisciplinaryRecord.objects.select_related("member__branch").first()
    committee_role = (
        Role.objects.current()
        .filter(organization__path=record.member.branch.path[: -record.member.branch.steplen])
        .exclude(user=None)
        .select_related("user")
        .first()
    )
    assert committee_role is not None and may_record_discipline(
        user=committee_role.user, member=record.member
    )
    html = login(committee_role.user).get(reverse("members:detail", args=[record.member.pk])).content.decode()
    with translation.override("zh-hans"):
        assert record.reason in html and str(record.get_kind_display()) in html
