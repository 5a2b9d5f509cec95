"""民主评议党员's written parts (issue 19): the 党员互评 comments (anonymous by construction, once per
colleague, shown per member only where three wrote), the 群众意见 given with one-time codes (the ratings'
codes: issued within bounds, spent once), and the self- and mutual evaluation per party group."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from assessments.models import BallotRemark, RatingCode, SealedBallot
from assessments.models.evaluation import (
    COMMENT_MAX_LENGTH,
    OPINION_MAX_LENGTH,
    EvaluationCommentBallot,
    MemberEvaluation,
)
from assessments.models.ratings import code_display
from assessments.selectors import evaluation_remarks as selectors
from assessments.services import evaluation as evaluation_services
from assessments.services import evaluation_remarks as services
from assessments.services import ratings as rating_services
from assessments.services.evaluation import EvaluationRefused
from branches.models import Organization
from tests.conftest import login
from tests.factories import MemberFactory, make_org

TODAY = datetime.date(2026, 12, 10)
YEAR = 2026


def _open(cast, extra: int = 3, **kw) -> MemberEvaluation:
    """Branch A's evaluation with alice, bob and ``extra`` other full members."""
    for _ in range(extra):
        MemberFactory(branch=cast.branch_a)
    return evaluation_services.evaluation_open(
        branch=cast.branch_a, year=YEAR, by=cast.alice, today=TODAY, **kw
    )


def _entries(evaluation):
    return list(evaluation.entries.select_related("member").order_by("pk"))


def _comment(evaluation, rater, subject, text: str) -> int:
    """``rater``'s comment as their own login would write it (the service checks the writer)."""
    rater.member.user or _give_login(rater)
    return services.comments_cast(
        evaluation=evaluation, rater=rater, comments={subject.pk: text}, by=rater.member.user
    )


def _give_login(entry):
    from tests.factories import UserFactory

    entry.member.user = UserFactory()
    entry.member.save(update_fields=["user"])


def _row(evaluation, entry):
    evaluation.refresh_from_db()
    remarks = selectors.evaluation_remarks(evaluation=evaluation)
    return next(r for r in remarks.rows if r.entry.pk == entry.pk), remarks


# --- 党员互评 ------------------------------------------------------------------------------------------------


def test_comments_from_two_colleagues_stay_hidden(cast):
    evaluation = _open(cast)
    entries = _entries(evaluation)
    subject = entries[0]
    for rater in entries[1:3]:
        _comment(evaluation, rater, subject, f"工作认真负责（{rater.pk}）")
    row, _ = _row(evaluation, subject)
    assert row.writers == 2 and row.comments is None  # open: nothing in clear yet
    evaluation_services.vote_close(evaluation=evaluation, by=cast.alice)
    row, remarks = _row(evaluation, subject)
    assert remarks.counted and row.writers == 2
    assert row.comments is None  # two wrote: below three, nothing shown
    assert BallotRemark.objects.filter(box_id=evaluation.box_id).count() == 2  # stored, not shown


def test_comments_from_three_colleagues_are_shown_without_writers(cast):
    evaluation = _open(cast)
    entries = _entries(evaluation)
    subject = entries[0]
    texts = ["理论学习扎实", "乐于助人，带头作用明显", "建议多参与支部活动"]
    for rater, text in zip(entries[1:4], texts):
        _comment(evaluation, rater, subject, text)
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == 3
    evaluation_services.vote_close(evaluation=evaluation, by=cast.alice)
    row, _ = _row(evaluation, subject)
    assert row.comments == sorted(texts)
    assert not SealedBallot.objects.filter(box_id=evaluation.box_id).exists()
    # The remark row knows its box, subject and text — no writer, no time, no code.
    assert {f.name for f in BallotRemark._meta.concrete_fields} == {
        "id",
        "box",
        "subject",
        "question",
        "text",
    }


def test_a_comment_once_per_colleague_and_the_first_is_kept(cast):
    evaluation = _open(cast)
    a, b = _entries(evaluation)[:2]
    _comment(evaluation, a, b, "第一次的评议")
    with pytest.raises(EvaluationRefused):
        _comment(evaluation, a, b, "第二次的评议")  # another tab, a double click
    assert EvaluationCommentBallot.objects.filter(rater=a, subject=b).count() == 1
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == 1  # refused whole


def test_comments_are_bounded_and_only_on_colleagues(cast):
    evaluation = _open(cast)
    a, b = _entries(evaluation)[:2]
    with pytest.raises(EvaluationRefused):
        _comment(evaluation, a, b, "长" * (COMMENT_MAX_LENGTH + 1))
    with pytest.raises(EvaluationRefused):
        _comment(evaluation, a, a, "自己评自己")  # not oneself
    with pytest.raises(EvaluationRefused):
        _comment(evaluation, a, b, "   ")  # blank is no comment
    assert _comment(evaluation, a, b, "长" * COMMENT_MAX_LENGTH) == 1
    with pytest.raises(PermissionDenied):  # only the member themself writes their comments
        services.comments_cast(evaluation=evaluation, rater=a, comments={b.pk: "代写"}, by=cast.charlie)


def test_no_comment_after_the_count(cast):
    evaluation = _open(cast)
    a, b = _entries(evaluation)[:2]
    evaluation_services.vote_close(evaluation=evaluation, by=cast.alice)
    evaluation.refresh_from_db()
    with pytest.raises(EvaluationRefused):
        _comment(evaluation, a, b, "迟到的评议")


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_the_database_while_open_links_no_writer_to_a_comment(cast):
    """The attacker's copy, read as the ratings' secrecy test reads it: every table in storage order and,
    on SQLite, the database file and its WAL as bytes. The comment is nowhere in clear."""
    from tests.test_ratings_secrecy import _dump, _files

    evaluation = _open(cast)
    a, b = _entries(evaluation)[:2]
    secret = "此人常在群里发表不当言论"
    _comment(evaluation, a, b, secret)
    connection.close()
    dump, files = _dump(), _files()
    forms = [secret, secret.encode("unicode_escape").decode("ascii")]
    assert not any(form in dump for form in forms)
    assert not any(form.encode("utf-8") in files for form in forms)
    assert "evaluationcommentballot" in dump  # that a comment was written is known


# --- 群众意见 with one-time codes ---------------------------------------------------------------------------


def test_opinion_codes_are_bounded_and_issued_by_the_branch(cast, settings):
    evaluation = _open(cast)
    settings.RATING_CODES_PER_BATCH = 10
    for count in (0, 11):
        with pytest.raises(ValidationError):
            services.opinion_codes_generate(evaluation=evaluation, count=count, by=cast.alice)
    with pytest.raises(PermissionDenied):
        services.opinion_codes_generate(evaluation=evaluation, count=1, by=cast.charlie)
    codes = services.opinion_codes_generate(evaluation=evaluation, count=10, by=cast.alice)
    assert len(set(codes)) == 10
    assert RatingCode.objects.filter(evaluation=evaluation, campaign=None, used=False).count() == 10
    evaluation_services.vote_close(evaluation=evaluation, by=cast.alice)
    evaluation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.opinion_codes_generate(evaluation=evaluation, count=1, by=cast.alice)


def test_a_code_used_twice_is_refused(cast):
    evaluation = _open(cast)
    subject = _entries(evaluation)[0]
    [code] = services.opinion_codes_generate(evaluation=evaluation, count=1, by=cast.alice)
    assert services.opinions_cast(code=code, opinions={subject.pk: "服务群众热情"}) == 1
    with pytest.raises(EvaluationRefused):
        services.opinions_cast(code=code_display(code).lower(), opinions={subject.pk: "再来一次"})
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == 1
    assert RatingCode.objects.get(evaluation=evaluation).used


def test_opinion_codes_and_rating_codes_do_not_open_each_other(cast):
    evaluation = _open(cast)
    [code] = services.opinion_codes_generate(evaluation=evaluation, count=1, by=cast.alice)
    assert rating_services.code_lookup(code) is None
    with pytest.raises(rating_services.RatingRefused):
        rating_services.code_ballot_cast(code=code, answers={})
    with pytest.raises(EvaluationRefused):
        services.opinions_cast(code="0" * 16, opinions={}, overall="意见")
    assert not RatingCode.objects.get(evaluation=evaluation).used


def test_a_refused_opinion_does_not_spend_the_code(cast):
    evaluation = _open(cast)
    subject = _entries(evaluation)[0]
    [code] = services.opinion_codes_generate(evaluation=evaluation, count=1, by=cast.alice)
    for opinions, overall in (
        ({}, "  "),  # nothing written
        ({subject.pk: "长" * (OPINION_MAX_LENGTH + 1)}, ""),
        ({10**9: "不在本支部的人"}, ""),
    ):
        with pytest.raises(EvaluationRefused):
            services.opinions_cast(code=code, opinions=opinions, overall=overall)
    assert not RatingCode.objects.get(evaluation=evaluation).used
    assert services.opinions_cast(code=code, opinions={subject.pk: "长" * OPINION_MAX_LENGTH}) == 1


@pytest.mark.parametrize("holders,shown", [(2, False), (3, True)])
def test_opinions_shown_from_three_code_holders(cast, holders, shown):
    evaluation = _open(cast)
    subject = _entries(evaluation)[0]
    codes = services.opinion_codes_generate(evaluation=evaluation, count=holders, by=cast.alice)
    for i, code in enumerate(codes):
        services.opinions_cast(code=code, opinions={subject.pk: f"群众意见{i}"}, overall=f"支部整体{i}")
    evaluation_services.vote_close(evaluation=evaluation, by=cast.alice)
    row, remarks = _row(evaluation, subject)
    assert row.opinion_count == holders
    assert (row.opinions is not None) is shown and (remarks.overall is not None) is shown
    if shown:
        assert row.opinions == [f"群众意见{i}" for i in range(holders)]
    assert (remarks.codes, remarks.codes_used) == (holders, holders)


def test_no_opinion_after_the_count(cast):
    evaluation = _open(cast)
    [code] = services.opinion_codes_generate(evaluation=evaluation, count=1, by=cast.alice)
    evaluation_services.vote_close(evaluation=evaluation, by=cast.alice)
    with pytest.raises(EvaluationRefused):
        services.opinions_cast(code=code, opinions={}, overall="迟到的意见")
    assert not RatingCode.objects.get(evaluation=evaluation).used


# --- party groups --------------------------------------------------------------------------------------------


def _grouped_branch(cast, size: int = 16) -> tuple[Organization, Organization]:
    g1 = make_org(cast.branch_a, Organization.Kind.GROUP, "第一党小组", code="A-G1")
    g2 = make_org(cast.branch_a, Organization.Kind.GROUP, "第二党小组", code="A-G2")
    for k in range(size - 2):
        MemberFactory(branch=cast.branch_a, party_group=g1 if k % 2 else g2)
    cast.bob_member.party_group = g1
    cast.bob_member.save(update_fields=["party_group"])
    cast.alice_member.party_group = g2
    cast.alice_member.save(update_fields=["party_group"])
    return g1, g2


def test_per_group_needs_a_large_branch_with_groups(cast):
    MemberFactory(branch=cast.branch_a)
    with pytest.raises(ValidationError):  # 3 members, no group
        evaluation_services.evaluation_open(
            branch=cast.branch_a, year=YEAR, by=cast.alice, today=TODAY, by_group=True
        )


def test_per_group_members_comment_on_their_own_group(cast):
    g1, _g2 = _grouped_branch(cast)
    evaluation = evaluation_services.evaluation_open(
        branch=cast.branch_a, year=YEAR, by=cast.alice, today=TODAY, by_group=True
    )
    bob = evaluation.entries.select_related("member").get(member=cast.bob_member)
    assert bob.party_group_id == g1.pk
    subjects = list(services.comment_subjects(evaluation=evaluation, rater=bob))
    assert len(subjects) == 7 and {s.party_group_id for s in subjects} == {g1.pk}
    alice = evaluation.entries.get(member=cast.alice_member)
    with pytest.raises(EvaluationRefused):  # another group's member
        services.comments_cast(evaluation=evaluation, rater=bob, comments={alice.pk: "x"}, by=cast.bob)
    services.comments_cast(
        evaluation=evaluation, rater=bob, comments={subjects[0].pk: "小组内互评"}, by=cast.bob
    )
    remarks = selectors.evaluation_remarks(evaluation=evaluation)
    assert [name for name, _rows in remarks.groups] == ["第一党小组", "第二党小组"]


# --- pages ---------------------------------------------------------------------------------------------------


def test_member_writes_comments_on_the_page(cast):
    evaluation = _open(cast)
    bob = login(cast.bob)
    url = reverse("evaluation:comments", args=[evaluation.pk])
    page = bob.get(url)
    assert page.status_code == 200 and "评议" in page.content.decode()
    colleagues = list(evaluation.entries.exclude(member=cast.bob_member))
    data = {f"c-{e.pk}": "按时参加组织生活" for e in colleagues}
    assert bob.post(url, data).status_code == 302
    assert EvaluationCommentBallot.objects.filter(rater__member=cast.bob_member).count() == len(colleagues)
    again = bob.post(url, data)  # the same form sent twice
    assert again.status_code == 409 and "已" in again.content.decode()
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == len(colleagues)
    assert login(cast.charlie).get(url).status_code == 404  # not a member of the branch


def test_remarks_page_for_the_committee_only(cast):
    evaluation = _open(cast)
    url = reverse("evaluation:remarks", args=[evaluation.pk])
    assert login(cast.alice).get(url).status_code == 200
    assert login(cast.officer).get(url).status_code == 200
    assert login(cast.bob).get(url).status_code == 404
    assert login(cast.charlie).get(url).status_code == 404


def test_remarks_page_query_count_pinned(cast, django_assert_num_queries):
    evaluation = _open(cast, extra=6)
    entries = _entries(evaluation)
    for rater in entries[1:]:
        _comment(evaluation, rater, entries[0], f"评议{rater.pk}")
    services.opinion_codes_generate(evaluation=evaluation, count=3, by=cast.alice)
    evaluation_services.vote_close(evaluation=evaluation, by=cast.alice)
    alice = login(cast.alice)
    url = reverse("evaluation:remarks", args=[evaluation.pk])
    alice.get(url)
    # session, user, the evaluation with branch and box, the permission to run it, the permission above,
    # the entries with members and groups, the comment participation counts, the codes issued and used,
    # the remarks: the same for 8 members as for 80.
    with django_assert_num_queries(9):
        alice.get(url)


def test_secretary_issues_and_prints_opinion_codes(cast):
    evaluation = _open(cast)
    url = reverse("evaluation:opinion_codes", args=[evaluation.pk])
    alice = login(cast.alice)
    assert alice.get(url).status_code == 200
    sheet = alice.post(url, {"count": "3"})
    assert sheet.status_code == 200 and sheet.content.decode().count('class="code-card"') == 3
    assert alice.post(url, {"count": "0"}).status_code == 200  # refused by the form
    assert RatingCode.objects.filter(evaluation=evaluation).count() == 3
    assert login(cast.bob).post(url, {"count": "3"}).status_code == 404
    assert login(cast.charlie).post(url, {"count": "3"}).status_code == 404  # another branch's secretary


def test_code_holder_gives_opinions_on_the_public_page(cast, client):
    evaluation = _open(cast)
    subject = evaluation.entries.get(member=cast.bob_member)
    [code] = services.opinion_codes_generate(evaluation=evaluation, count=1, by=cast.alice)
    url = reverse("evaluation:opinion_entry")
    assert client.get(url).status_code == 200
    form = client.post(url, {"code": code_display(code)})
    assert form.status_code == 200 and "鲍勃" in form.content.decode()
    done = client.post(
        url, {"code": code, "step": "give", f"o-{subject.pk}": "服务同学很热心", "overall": ""}
    )
    assert done.status_code == 302 and done["Location"] == reverse("evaluation:opinion_done")
    assert client.get(done["Location"]).status_code == 200
    again = client.post(url, {"code": code, "step": "give", "overall": "再提一条"})
    assert again.status_code == 409
    assert client.post(url, {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}).status_code == 404
