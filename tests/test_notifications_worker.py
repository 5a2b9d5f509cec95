"""Issue 20.2 on a real Celery worker (eager mode only emulates retries): a 企业微信 delivery answered 45009
(rate limit) twice is retried by the worker with its back-off and sent on the third try, the three tries
recorded. The worker is its own process, configured by the environment like production."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from notifications.models import Delivery, Digest
from notifications.tasks import delivery_send
from tests.factories import UserFactory
from tests.notify_servers import WeComServer
from tests.test_celery_worker import ROOT, _database_url


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_rate_limited_wecom_message_with_backoff():
    from config.celery import app as celery_app

    server = WeComServer(corp_id="ww-corp", secret="app-secret", agent_id=1000002, users={"alice"}).start()
    server.script += [{"errcode": 45009, "errmsg": "api freq out of limit"}] * 2
    queue = f"test-notify-{os.getpid()}"
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "NOTIFY_DELIVERY": "send",
        "WECOM_API_BASE": server.url,
        "WECOM_CORP_ID": "ww-corp",
        "WECOM_AGENT_ID": "1000002",
        "WECOM_SECRET": "app-secret",
        "NOTIFY_RETRY_SECONDS": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        user = UserFactory(username="alice")
        digest = Digest.objects.create(
            user=user,
            day=timezone.localdate(),
            subject="党建工作提醒：1 项待办",
            body="· 召开支部党员大会",
            item_count=1,
        )
        delivery = Delivery.objects.create(
            digest=digest,
            channel="wecom",
            address="alice",
            not_before=timezone.now() - datetime.timedelta(seconds=1),
        )
        delivery_send.apply_async(args=[delivery.pk], queue=queue)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            if delivery.status in (Delivery.Status.SENT, Delivery.Status.FAILED):
                break
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.3)
        assert delivery.status == Delivery.Status.SENT, "not sent within 150 s"
        tries = list(delivery.tries.all())
        assert [t.outcome for t in tries] == ["retry", "retry", "sent"]
        # The back-off: 1 s, then 2 s (doubled), between the tries.
        gaps = [(b.at - a.at).total_seconds() for a, b in zip(tries, tries[1:], strict=False)]
        assert gaps[0] >= 0.9 and gaps[1] >= 1.9, gaps
        assert len(server.messages) == 1 and server.token_requests == 1
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        server.stop()
