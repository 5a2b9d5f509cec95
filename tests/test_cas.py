"""Campus sign-on (issue 20) end to end against a real CAS 3.0 server: django-cas-server in its own process on
loopback (tests/cas_server/), a real HTTP client through its login page, the portal validating the ticket with
the server, first sign-ons linking or creating accounts, and sign-out going both ways."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django_cas_ng.models import SessionTicket

from members.models import Member
from members.services.accounts import campus_sign_on
from tests.factories import MemberFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
# The university's directory, as the CAS server holds it: number, password, name (cn), mail.
PEOPLE = {
    "T2001": ("pw-T2001-secret", "王建国", "wang@example.edu.cn"),  # a member on file, no login yet
    "S3001": ("pw-S3001-secret", "李小梅", "li@example.edu.cn"),  # a rater on a roster (account = number)
    "T1002": ("pw-T1002-secret", "鲍勃", "bob@example.edu.cn"),  # bob, who already has a login
    "X9999": ("pw-X9999-secret", "陌生人", "x@example.edu.cn"),  # on file nowhere
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cas_url(tmp_path_factory):
    """Start the CAS server (migrate, seed, runserver) and wait until its login page answers."""
    folder = tmp_path_factory.mktemp("cas")
    env = {
        **os.environ,
        "CAS_TEST_DB": str(folder / "cas.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "tests.cas_server.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    seed = [f"{n}:{pw}:{name}:{mail}" for n, (pw, name, mail) in PEOPLE.items()]
    subprocess.run(
        [sys.executable, "-m", "tests.cas_server.seed", *seed], cwd=ROOT, env=env, check=True, timeout=120
    )
    port = _free_port()
    log = open(folder / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/cas/"
    try:
        for _ in range(100):
            try:
                if requests.get(url + "login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            raise RuntimeError((folder / "server.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def cas_on(settings, cas_url):
    settings.CAS_SERVER_URL = cas_url
    return cas_url


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


# A signed-in page of the portal's own (django.contrib.auth's), to land on after the sign-on.
LANDING = "/accounts/password_change/"


def _cas_login(session: requests.Session, portal: str, cas_url: str, number: str, next_page: str = LANDING):
    """Start at the portal, type the number and password into the CAS server's own page, come back."""
    page = session.get(f"{portal}/accounts/cas/login/", params={"next": next_page}, timeout=10)
    assert page.url.startswith(cas_url + "login"), page.url
    assert 'name="username"' in page.text
    fields = _hidden(page.text)
    fields.update(username=number, password=PEOPLE[number][0])
    return session.post(page.url, data=fields, timeout=10)


def _portal_session_key(session: requests.Session) -> str:
    return session.cookies.get("sessionid", domain="localhost.local") or session.cookies.get("sessionid")


def _wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_first_sign_on_links_the_member_and_single_sign_out_ends_the_session(live_server, cas_on, cast):
    member = MemberFactory(branch=cast.branch_a, name="王建国", campus_number="T2001", user=None)
    session = requests.Session()

    home = _cas_login(session, live_server.url, cas_on, "T2001")

    assert home.status_code == 200
    assert home.url == live_server.url + LANDING
    # The portal got a ticket from the CAS server and validated it (the redirect through /accounts/cas/login/).
    assert any("ticket=ST-" in r.headers.get("Location", "") for r in home.history)
    member.refresh_from_db()
    user = member.user
    assert user is not None and user.username == "T2001"
    assert user.first_name == "王建国" and user.email == "wang@example.edu.cn"  # the cn and mail attributes
    assert not user.has_usable_password()  # no password to remember
    assert member.history.filter(history_change_reason="campus sign-on").exists()
    key = _portal_session_key(session)
    assert SessionTicket.objects.filter(session_key=key).exists()

    # Signing out at the CAS server (another application, say) ends the portal's session too: the server
    # posts its logoutRequest to the portal's service URL.
    session.get(cas_on + "logout", timeout=10)
    assert _wait_until(lambda: not Session.objects.filter(session_key=key).exists())
    after = session.get(live_server.url + LANDING, timeout=10)
    assert "/accounts/login/" in after.url

    # The second sign-on finds the same account: nothing new is created.
    again = _cas_login(session, live_server.url, cas_on, "T2001")
    assert again.url == live_server.url + LANDING
    assert get_user_model().objects.filter(username__iexact="T2001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_signing_out_of_the_portal_signs_out_of_the_cas_server(live_server, cas_on, cast):
    cast.bob_member.campus_number = "T1002"
    cast.bob_member.save()
    session = requests.Session()
    home = _cas_login(session, live_server.url, cas_on, "T1002")
    assert home.url == live_server.url + LANDING
    key = _portal_session_key(session)
    assert Session.objects.get(session_key=key).get_decoded()["_auth_user_id"] == str(
        cast.bob.pk
    )  # bob's own
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text).group(1)

    out = session.post(
        live_server.url + "/accounts/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": live_server.url + LANDING},
        allow_redirects=False,
        timeout=10,
    )

    assert out.status_code == 302
    assert out.headers["Location"].startswith(cas_on + "logout")
    assert not Session.objects.filter(session_key=key).exists()
    session.get(out.headers["Location"], timeout=10)
    # The CAS server forgot the sign-on: coming back asks for the password again instead of a new ticket.
    page = session.get(f"{live_server.url}/accounts/cas/login/", timeout=10)
    assert page.url.startswith(cas_on + "login") and 'name="password"' in page.text


@pytest.mark.django_db(transaction=True)
def test_a_roster_rater_is_linked_and_a_stranger_is_refused(live_server, cas_on, cast):
    rater = UserFactory(username="S3001", first_name="李小梅")  # as rater_roster_import creates it
    member = MemberFactory(branch=cast.branch_b, name="李小梅", campus_number="S3001", user=None)
    session = requests.Session()
    assert _cas_login(session, live_server.url, cas_on, "S3001").url == live_server.url + LANDING
    member.refresh_from_db()
    assert member.user_id == rater.pk

    stranger = requests.Session()
    refused = _cas_login(stranger, live_server.url, cas_on, "X9999")
    assert refused.status_code == 403
    assert "未在系统中登记" in refused.text or "not on file" in refused.text
    assert not get_user_model().objects.filter(username__iexact="X9999").exists()


@pytest.mark.django_db(transaction=True)
def test_an_outside_next_page_is_not_followed(live_server, cas_on, cast):
    MemberFactory(branch=cast.branch_a, campus_number="T2001", user=None)
    session = requests.Session()
    done = _cas_login(session, live_server.url, cas_on, "T2001", next_page="https://evil.example/")
    assert done.url.startswith(live_server.url + "/")


# --- without a server: the rules of the accounts and of the password form ---------------------------------


def test_cas_pages_are_absent_without_a_cas_server(cast):
    assert Client().get("/accounts/cas/login/").status_code == 404
    page = Client().get("/accounts/login/")
    assert page.status_code == 200 and "data-cas-login" not in page.content.decode()


def _password_login(username: str, password: str) -> bool:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def test_with_cas_only_administrators_keep_their_password(settings, cast):
    UserFactory(username="admin1", password="a-long-password-1", is_staff=True)
    UserFactory(username="plain1", password="a-long-password-2")
    assert _password_login("plain1", "a-long-password-2")  # CAS off: everyone
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    assert "data-cas-login" in Client().get("/accounts/login/").content.decode()
    assert not _password_login("plain1", "a-long-password-2")
    assert _password_login("admin1", "a-long-password-1")
    settings.CAS_LOCAL_PASSWORDS = "all"
    assert _password_login("plain1", "a-long-password-2")


def test_campus_sign_on_rules(settings, cast):
    # Bad shapes are refused before any lookup.
    assert campus_sign_on(number="") is None and campus_sign_on(number="a b") is None
    # A number whose account is another member's login is not taken over.
    other = UserFactory(username="T7777")
    MemberFactory(branch=cast.branch_a, user=other)
    MemberFactory(branch=cast.branch_a, campus_number="T7777", user=None)
    assert campus_sign_on(number="T7777") is None
    # Unknown numbers get an account only when the university asks for it.
    assert campus_sign_on(number="N0001") is None
    settings.CAS_CREATE_UNKNOWN = True
    created = campus_sign_on(number="N0001", name="新同学", email="n@example.edu.cn")
    assert (
        created.username == "N0001" and created.first_name == "新同学" and not created.has_usable_password()
    )
    # A name already on the account is kept; the address follows the directory.
    again = campus_sign_on(number="n0001", name="别名", email="n2@example.edu.cn")
    assert again.pk == created.pk and again.first_name == "新同学" and again.email == "n2@example.edu.cn"
    assert Member.objects.filter(campus_number="T7777", user__isnull=True).exists()
