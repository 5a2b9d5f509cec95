"""The whole-product crawl (issue 14, DESIGN §10): every URL pattern of the project, resolved to concrete
objects inside and outside each persona's unit (tests/crawl/world.py), requested as eight personas.

GET everything; POST, with a valid CSRF token, as every persona the entry refuses (the wrong owners). It
fails on any 5xx, on a status other than the entry's rule gives (tests/crawl/registry.py), on English text on
a page, and on a URL pattern without a crawl entry (add it in tests/crawl/<app>.py).

    .venv/bin/python -m pytest tests/test_crawl.py -q
"""

from __future__ import annotations

import collections
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Imported for their side effect: each module registers its crawl entries.
from tests.crawl import (  # noqa: F401
    assessments,  # noqa: F401
    commendations,  # noqa: F401
    disclosure,  # noqa: F401
    members,  # noqa: F401
    notifications,  # noqa: F401
    programmes,  # noqa: F401
    projects,  # noqa: F401
    site,  # noqa: F401
)
from tests.crawl.dates import iso_dates_in_prose
from tests.crawl.english import english_in_context, english_words, form_fields
from tests.crawl.registry import LOGIN, PERSONAS, REGISTRY, Result, Target
from tests.crawl.world import NOW, build

pytestmark = pytest.mark.django_db

# Patterns the crawl leaves out: Django's admin (its own, English-speaking product) and the bench-only
# endpoint (never routed in production, settings.BENCH_ENDPOINTS).
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = {"assessments:bench_bare"}
DENIALS = {LOGIN, 403, 404, 204}
# Problems found and not fixed yet, by entry: reported, not failed on. Empty this as they are fixed.
KNOWN: dict[str, str] = {}


def url_pattern_names(patterns=None, namespace: str = "") -> list[str]:
    """Every named URL pattern of the project, ``namespace:name``, walking the includes."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_pattern_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"the URL pattern {pattern.pattern} has no name: the crawl cannot list it"
            name = namespace + pattern.name
            if name not in EXCLUDED_NAMES:
                names.append(name)
    return names


def test_every_url_pattern_has_a_crawl_entry():
    patterns = set(url_pattern_names())
    missing = sorted(patterns - REGISTRY.keys())
    assert not missing, f"URL patterns without a crawl entry (add them in tests/crawl/<app>.py): {missing}"
    stale = sorted(REGISTRY.keys() - patterns)
    assert not stale, f"crawl entries for URL patterns that no longer exist: {stale}"


def _clients(world) -> dict[str, tuple[Client, str]]:
    """A CSRF-enforcing client per persona, signed in, with the token its cookie carries."""
    clients = {}
    for n, persona in enumerate(PERSONAS, 1):
        # Each from a machine of their own: the per-address throttles (wrong rating codes) count per person.
        client = Client(enforce_csrf_checks=True, raise_request_exception=False, REMOTE_ADDR=f"10.0.0.{n}")
        user = world.users[persona]
        if user is not None:
            client.force_login(user)
        assert client.get(reverse("login")).status_code == 200
        clients[persona] = (client, client.cookies["csrftoken"].value)
    return clients


# Numbers and dates for Chinese readers (issue 22), on every page the crawl reads: an amount of four or more
# integer digits with cents but no thousands separator (¥175000.00), and an English month name (a `date:`
# filter that fell back to English, or an "N j, Y" format). Read in the visible text only: no scripts (chart
# data, json_script) and no tag attributes.
_BARE_AMOUNT = re.compile(r"(?<![\d,.\-/:])(?:¥\s?)?\d{4,}\.\d{2}(?![\d%])")
_ENGLISH_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+\d{1,2}\b"
)


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def _formats(html: str) -> list[str]:
    text = _visible_text(html)
    found = [
        (pattern.search(text), what)
        for pattern, what in (
            (_BARE_AMOUNT, "an amount without thousands separators"),
            (_ENGLISH_MONTH, "an English month"),
        )
    ]
    problems = [f"{what}: {match.group(0)!r}" for match, what in found if match]
    # 2026年12月1日 where prose, ISO in tables and exports (tests/crawl/dates.py says where prose is).
    prose = iso_dates_in_prose(html)
    if prose:
        problems.append(f"an ISO date in prose (use |prose_date): {prose[0]!r}")
    return problems


def _check(result: Result, response, *, html: bool, allowed: set[str]) -> None:
    if response.status_code >= 500:
        result.problems.append("server error")
    elif response.status_code not in (
        result.expected if isinstance(result.expected, tuple) else (result.expected,)
    ):
        result.problems.append(f"expected {result.expected}")
    if response.status_code == LOGIN and result.expected == LOGIN and result.persona == "anonymous":
        if not response["Location"].startswith(reverse("login")):
            result.problems.append(f"redirected to {response['Location']}, not to sign in")
    content_type = response.get("Content-Type", "")
    if html and content_type.startswith("text/html") and not response.streaming:
        words = english_in_context(response.content.decode(), allowed=allowed)
        if words:
            result.problems.append(f"English on the page: {'; '.join(words[:6])}")
        if response.status_code == 200:
            result.problems.extend(_formats(response.content.decode()))


# Ids that name nothing: zero, and one past the largest 64-bit integer (the path converter takes any digits;
# a database column does not).
MISSING_IDS = (0, 2**63)
MISSING_SLUGS = ("nope",)  # a unit's code, a section, a block, a rating code that does not exist


def _missing(entry, targets: list[Target]) -> list[Target]:
    """The entry's first target with each value in its path replaced by one that names nothing. Whoever
    asks gets a 404, or the 403 of a page they may not open at all (that tells nothing either); the
    anonymous visitor is sent to sign in where the page needs it; a POST-only action's GET stays a 405."""
    first = targets[0]
    found = []
    for key, value in first.kwargs.items():
        for missing in MISSING_IDS if isinstance(value, int) else MISSING_SLUGS:

            def rule(persona, target, _first=first):
                if entry.is_action:
                    return entry.get(persona, _first)
                if persona == "anonymous" and entry.get(persona, _first) == LOGIN:
                    return LOGIN
                return (403, 404)

            found.append(Target(f"missing {key}", {**first.kwargs, key: missing}, first.unit, rule=rule))
    return found


def crawl(world) -> list[Result]:
    clients = _clients(world)
    allowed = {u.username for u in world.users.values() if u is not None}
    results = []
    for name, entry in REGISTRY.items():
        targets = entry.targets(world)
        for target in targets + _missing(entry, targets):
            url = reverse(name, kwargs=target.kwargs) + (f"?{target.query}" if target.query else "")
            get_rule, post_rule = entry.rules(target)
            form = None  # the page's own form as its owner sees it: the wrong owners send it back
            for persona in PERSONAS:
                client, _token = clients[persona]
                result = Result(name, target.label, persona, "GET", url, 0, get_rule(persona, target))
                response = client.get(url, headers=target.headers)
                result.status = response.status_code
                _check(result, response, html=entry.html, allowed=allowed)
                results.append(result)
                if form is None and response.status_code == 200 and not response.streaming and entry.html:
                    form = form_fields(response.content.decode(), reverse(name, kwargs=target.kwargs))
            if target.query:
                continue
            for persona in PERSONAS:
                client, token = clients[persona]
                expected = post_rule(persona, target) if post_rule else None
                if target.label.startswith("missing"):  # a POST to nothing: refused, whoever sends it
                    expected = (LOGIN if persona == "anonymous" else 403, 404, 405)
                if not (expected in DENIALS or isinstance(expected, tuple)):
                    continue  # an owner: the crawl changes nothing
                # A wrong owner (or no object at all): refused, whether the form is empty or the owner's.
                for data in ({}, form) if form else ({},):
                    result = Result(
                        name, target.label, persona, "POST" if not data else "POST form", url, 0, expected
                    )
                    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
                    result.status = response.status_code
                    _check(result, response, html=entry.html, allowed=allowed)
                    results.append(result)
    return results


def _matrix(results) -> None:
    """With CRAWL_MATRIX=path, write each (entry, target, method) whose statuses differ from the rules there,
    one line per row of personas (to see what a rule should say)."""
    import os

    path = os.environ.get("CRAWL_MATRIX")
    if not path:
        return
    rows = collections.defaultdict(dict)
    for r in results:
        rows[(r.entry, r.url, r.method)][r.persona] = r
    with open(path, "w") as out:
        for (entry, target, method), by in rows.items():
            if any(r.problems for r in by.values()):
                cells = " ".join(
                    f"{p[:8]}={r.status}"
                    + ("" if not r.problems else f"!{r.expected}" if r.status != r.expected else "!E")
                    for p, r in by.items()
                )
                print(f"{entry} {target} {method}: {cells}", file=out)
                for r in by.values():
                    for problem in r.problems:
                        if problem.startswith("English"):
                            print("    ", r.persona, problem, file=out)


@pytest.fixture
def _fresh_cache():
    """The public pages' cache and the throttles start empty: another test's pages (same ids, same unit
    codes) must not answer for this world's."""
    cache.clear()
    yield
    cache.clear()


def test_the_whole_product_as_every_persona(cast, settings, tmp_path, time_machine, _fresh_cache):
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(NOW)
    world = build(cast)
    started = time.perf_counter()
    results = crawl(world)
    elapsed = time.perf_counter() - started
    statuses = collections.Counter((r.method, r.status) for r in results)
    print(
        f"\ncrawl: {len(REGISTRY)} URL patterns, {len({r.url for r in results})} URLs, "
        f"{len(results)} requests in {elapsed:.1f} s; statuses: {dict(sorted(statuses.items()))}"
    )
    _matrix(results)
    problems = [
        f"{r.method} {r.url} [{r.entry} {r.target}] as {r.persona}: {r.status} — {'; '.join(r.problems)}"
        for r in results
        if r.problems and r.entry not in KNOWN
    ]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_english_detector():
    page = (
        "<html><head><title>支部 · Dashboard</title><style>.a{color:red}</style></head><body>"
        "<script>var x = 'Hello';</script><p>导出 xlsx、PDF，Q3 季度，用户 alice，编码 C1，"
        "文件 纪要.pdf，https://example.org/a b</p><input type=submit value=Save>"
        "<span title='Close'>×</span><svg><text>Chart</text></svg></body></html>"
    )
    assert english_words(page, allowed={"alice"}) == ["Dashboard", "Save", "Close"]
    assert english_words("<p>请求有误</p><p data-x='English'>中文</p>") == []


def test_the_format_check_catches_bare_amounts_and_english_months():
    assert _formats("<td>¥175000.00</td>") and _formats("<p>1234.50 元</p>")
    assert _formats("<p>Dec. 1, 2026</p>") and _formats("<p>December 1</p>")
    assert not _formats("<td>¥175,000.00</td><p>2026年12月1日</p><td>2026-12-01</td><td>98.50</td>")
    assert not _formats("<script>var a = 175000.00;</script><a data-x='175000.00'>x</a>")
