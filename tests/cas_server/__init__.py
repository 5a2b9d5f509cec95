"""A real CAS 3.0 server for the sign-on tests (issue 20): django-cas-server in its own tiny Django project,
run in its own process on loopback with its own SQLite file (tests/test_cas.py starts it)."""
