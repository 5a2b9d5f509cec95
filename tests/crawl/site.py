"""Crawl entries of the site itself (config/urls.py): sign-in pages (django.contrib.auth's views), the healthcheck,
and the unit-management pages of branches/urls.py."""

from tests.crawl.registry import (
    LOGIN,
    SAME,
    Entry,
    Target,
    action,
    manages,
    none,
    per_target,
    public,
    register,
    signed_in,
    table,
    units,
)

register(
    Entry("login", none, public()),
    Entry("logout", none, public(405)),
    Entry("password_change", none, signed_in(), post=SAME),
    Entry("password_change_done", none, signed_in()),
    # Reset by e-mail (issue 16.6): without mail configured (the tests' default) the page says whom to ask.
    Entry("password_reset", none, public()),
    Entry("password_reset_done", none, public()),
    # A link that opens nothing (used, expired, cut short) is a 404 with the page that says so.
    Entry(
        "password_reset_confirm",
        lambda world: [Target("bad-link", {"uidb64": "MQ", "token": "abc-def"})],
        public(404),
        post=public(404),
    ),
    Entry("password_reset_complete", none, public()),
    Entry("healthz", none, public(), html=False),
    # The university's sign-on (issue 20): absent while CAS_SERVER_URL is unset, as in the tests.
    Entry("cas_login", none, public(404)),
    # branches: a unit's structure belongs to the unit above it.
    # Units are created by committee-level roles, not inside a branch by its secretary.
    Entry(
        "branches:create",
        units("C1", "A", "B"),
        table(manages(), secretary_a=403, secretary_b=403),
        post=SAME,
    ),
    Entry("branches:rename", units("C1", "A", "B"), manages(level="above"), post=SAME),
    Entry("branches:move", units("C1", "A", "B"), manages(level="above"), post=SAME),
    action("branches:deactivate", units("C1", "A", "B"), manages(level="above")),
    # A branch's own theme party day (issue 18): its secretaries and the units above; no other kind has one.
    Entry(
        "branches:theme_day",
        units("A", "B", "C1"),
        per_target(A=manages(), B=manages(), C1=table(404, anonymous=LOGIN)),
        post=SAME,
    ),
)
