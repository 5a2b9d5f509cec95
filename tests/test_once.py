"""No double records (issue 14 item 4): every create form carries a one-time key; the same key sent twice,
or by twenty requests at the same moment, creates one record.

The parallel tests post real HTTP requests through Django's test client from threads, each on its own database
connection: on PostgreSQL they really overlap (the second claim of a key waits on the first's primary-key
entry until it commits), on SQLite the IMMEDIATE transactions queue behind the write lock. Both must create one.
"""

from __future__ import annotations

import datetime
import re
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import OneTimeKey, Organization
from branches.once import once, once_keys_expire
from disclosure.models import Meeting, Post, PostCategory
from members.models import DevelopmentCase, Member
from projects.models import Grant
from tests.conftest import login
from tests.factories import MemberFactory
from tests.test_projects import grants_cast  # noqa: F401 — the grant world, used below

PARALLEL = 20


def _key(page: str) -> str:
    match = re.search(r'name="request_key" value="([0-9a-f-]{36})"', page)
    assert match, "the form carries no one-time key"
    return match.group(1)


def _race(posts) -> list[int]:
    """Run every callable in ``posts`` in its own thread, released together; their status codes."""
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(post):
        try:
            barrier.wait()
            status = post().status_code
        except Exception as exc:  # noqa: BLE001 — the assertion shows it
            status = repr(exc)
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


# --- the helper ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_creates_once_and_another_users_key_is_refused(cast):
    key = uuid.uuid4()
    made = []

    def create():
        made.append(1)
        return MemberFactory(branch=cast.branch_b, stage=Member.Stage.APPLICANT)

    with transaction.atomic():
        first = once(key=key, user=cast.charlie, model=Member, create=create)
    with transaction.atomic():
        second = once(key=key, user=cast.charlie, model=Member, create=create)
    assert first == second and len(made) == 1
    with pytest.raises(ValidationError), transaction.atomic():
        once(key=key, user=cast.alice, model=Member, create=create)  # a key is no way into another's record
    with transaction.atomic():  # no key (an old form, a script): each call creates
        once(key=None, user=cast.charlie, model=Member, create=create)
        once(key="", user=cast.charlie, model=Member, create=create)
    assert len(made) == 3


@pytest.mark.django_db
def test_a_rolled_back_create_leaves_the_key_free(cast):
    key = uuid.uuid4()

    def refuse():
        raise ValidationError("不行")

    with pytest.raises(ValidationError), transaction.atomic():
        once(key=key, user=cast.alice, model=Member, create=refuse)
    assert not OneTimeKey.objects.filter(key=key).exists()
    with transaction.atomic():
        once(key=key, user=cast.alice, model=Member, create=lambda: MemberFactory(branch=cast.branch_a))
    assert OneTimeKey.objects.get(key=key).object_id is not None


@pytest.mark.django_db
def test_old_keys_expire(cast):
    with transaction.atomic():
        once(key=uuid.uuid4(), user=cast.alice, model=Member, create=lambda: cast.bob_member)
    now = timezone.now()
    assert once_keys_expire(now=now) == 0
    assert once_keys_expire(now=now + datetime.timedelta(days=31)) == 1


# --- the forms ---------------------------------------------------------------------------------------------

CREATE_PAGES = [
    ("disclosure:create", "branch_a"),
    ("disclosure:post_create", "branch_a"),
    ("members:development", "branch_a"),
    ("members:transfers", "branch_a"),
    ("members:care", "branch_a"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "unit"), CREATE_PAGES)
def test_create_forms_carry_a_fresh_key_each_time(cast, as_alice, name, unit):
    url = reverse(name, args=[getattr(cast, unit).pk])
    first, second = (_key(as_alice.get(url).content.decode()) for _ in range(2))
    assert first != second


def _meeting_form(cast, key: str) -> dict:
    held = timezone.localtime() - datetime.timedelta(days=1)
    data = {
        "kind": "general_assembly",
        "held_at": held.strftime("%Y-%m-%dT%H:%M"),
        "topics": "学习党章",
        "visibility": "internal",
        "request_key": key,
        "action": "save",
    }
    for member in (cast.alice_member, cast.bob_member):
        data[f"att-status_{member.pk}"] = "present"
    return data


@pytest.mark.django_db
def test_a_double_click_on_a_new_meeting_files_one_record(cast, as_alice):
    url = reverse("disclosure:create", args=[cast.branch_a.pk])
    data = _meeting_form(cast, _key(as_alice.get(url).content.decode()))
    first, second = as_alice.post(url, data), as_alice.post(url, data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Meeting.objects.filter(organization=cast.branch_a).count() == 1
    data["request_key"] = _key(as_alice.get(url).content.decode())  # a new form is a new record
    as_alice.post(url, data)
    assert Meeting.objects.filter(organization=cast.branch_a).count() == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_one_new_meeting_form_file_one_record(cast):
    url = reverse("disclosure:create", args=[cast.branch_a.pk])
    data = _meeting_form(cast, _key(login(cast.alice).get(url).content.decode()))
    statuses = _race([lambda: login(cast.alice).post(url, data) for _ in range(PARALLEL)])
    assert statuses == [302] * PARALLEL, statuses
    assert Meeting.objects.filter(organization=cast.branch_a).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_one_post_form_publish_one_post(cast):
    category = PostCategory.objects.filter(is_active=True).first() or PostCategory.objects.create(name="动态")
    url = reverse("disclosure:post_create", args=[cast.branch_a.pk])
    key = _key(login(cast.alice).get(url).content.decode())
    data = {
        "section": "news",
        "category": category.pk,
        "title": "支部动态",
        "body": "内容",
        "visibility": "public",
        "request_key": key,
        "action": "save",
    }
    statuses = _race([lambda: login(cast.alice).post(url, data) for _ in range(PARALLEL)])
    assert statuses == [302] * PARALLEL, statuses
    assert Post.objects.filter(organization=cast.branch_a).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_one_applicant_form_register_one_person(cast):
    url = reverse("members:development", args=[cast.branch_a.pk])
    key = _key(login(cast.alice).get(url).content.decode())
    data = {
        "request_key": key,
        "name": "周晓",
        "gender": "F",
        "birth_date": "2003-04-02",
        "category": "teacher",
        "applied_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
    }
    statuses = _race([lambda: login(cast.alice).post(url, data) for _ in range(PARALLEL)])
    assert set(statuses) <= {302, 200}, statuses
    assert Member.objects.filter(name="周晓").count() == 1
    assert DevelopmentCase.objects.filter(member__name="周晓").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_one_grant_application_apply_once(grants_cast_committed):
    c = grants_cast_committed
    url = reverse("projects:apply", args=[c.call.pk])
    key = _key(login(c.alice).get(url).content.decode())
    data = {
        "organization": c.branch_a.pk,
        "topic": c.topic.pk,
        "title": "项目",
        "plan": "p",
        "expected_outputs": "o",
        "budget_requested": "2000",
        "request_key": key,
        "submit": "1",
    }
    statuses = _race([lambda: login(c.alice).post(url, data) for _ in range(PARALLEL)])
    assert statuses == [302] * PARALLEL, statuses  # no IntegrityError: the key waits instead of racing
    assert Grant.objects.filter(call=c.call).count() == 1


@pytest.fixture
def grants_cast_committed(grants_cast):
    c = grants_cast
    today = timezone.localdate()
    c.call.opens_on, c.call.deadline = today - datetime.timedelta(days=1), today + datetime.timedelta(days=5)
    c.call.completes_on = c.call.deadline + datetime.timedelta(days=300)
    c.call.budget = Decimal("90000")
    c.call.save()
    return c


@pytest.mark.django_db
def test_parallel_units_under_one_parent_never_draw_the_same_path(cast, as_officer):
    url = reverse("branches:create", args=[cast.c1.pk])
    for n in range(2):
        key = _key(as_officer.get(url).content.decode())
        data = {"request_key": key, "kind": "branch", "name": f"新支部{n}", "category": "teacher"}
        assert as_officer.post(url, data).status_code == 302
        assert as_officer.post(url, data).status_code == 302  # the double click
    assert Organization.objects.filter(name__startswith="新支部").count() == 2
