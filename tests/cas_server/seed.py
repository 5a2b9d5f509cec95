"""Migrate the test CAS server's database and put in its directory: the people and the one service pattern
(any portal on loopback, with single sign-out, sending the attributes cn and mail).

    CAS_TEST_DB=... python -m tests.cas_server.seed number:password:name:mail ...
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.cas_server.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from cas_server.models import ReplaceAttributName, ServicePattern  # noqa: E402

call_command("migrate", verbosity=0)
pattern = ServicePattern.objects.create(
    pos=0, name="portal", pattern=r"^http://(127\.0\.0\.1|localhost)(:\d+)?/", single_log_out=True
)
ReplaceAttributName.objects.create(service_pattern=pattern, name="first_name", replace="cn")
ReplaceAttributName.objects.create(service_pattern=pattern, name="email", replace="mail")
for spec in sys.argv[1:]:
    number, password, name, mail = spec.split(":")
    User.objects.create_user(username=number, password=password, first_name=name, email=mail)
