"""Issue 14, item 6: a worker killed with SIGKILL mid-task loses nothing. The task is acknowledged late
(``CELERY_TASK_ACKS_LATE``), so the broker still holds it; a second worker runs it to completion, once.

* Filesystem broker (the embedded default): kombu's own transport deletes a message's file when a worker
  takes it, so a killed worker's task is gone. ``config.broker`` keeps the file under ``unacked/`` until the
  ack; the second worker finds the dead worker's claims (their lock is free) and puts them back.
* Redis (REDIS_URL set, CI's PostgreSQL + Redis pass): kombu keeps the unacknowledged message on the server
  and any worker restores it once the visibility timeout has passed; the workers here run with a 10 s one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from tests.test_celery_worker import _database_url
from tests.worker_tasks import wait_for_release

ROOT = Path(__file__).resolve().parent.parent
VISIBILITY = 10  # seconds, the Redis workers' visibility timeout (the setting's minimum)


def _worker(queue: str) -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
    }
    return subprocess.Popen(
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
            "--include",
            "tests.worker_tasks",
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


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _wait(condition, seconds: float, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}):\n{process.stdout.read()}")
        time.sleep(0.1)
    return condition()


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.stdout.read()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_is_killed_mid_task_runs_to_completion_once_on_the_next_worker(tmp_path):
    assert celery_app.conf.task_acks_late and celery_app.conf.task_reject_on_worker_lost
    queue = f"test-lost-{os.getpid()}"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    first = _worker(queue)
    second = None
    try:
        wait_for_release.apply_async(args=[str(tmp_path)], queue=queue)
        assert _wait(lambda: len(_lines(tmp_path / "started")) == 1, 90, first), (
            "the first worker never started it"
        )
        taken = time.monotonic()
        first.send_signal(signal.SIGKILL)  # mid-task: it is waiting for the release file
        first.wait(timeout=10)
        assert not _lines(tmp_path / "done")
        (tmp_path / "release").touch()

        if settings.REDIS_URL:
            # kombu's Redis transport restores at a worker's start what has waited past the visibility timeout.
            time.sleep(max(0.0, taken + VISIBILITY + 1 - time.monotonic()))
        second = _worker(queue)
        assert _wait(lambda: _lines(tmp_path / "done"), 90, second), "the task was lost with its worker"
        time.sleep(2)  # long enough for a second delivery to show
        started, done = _lines(tmp_path / "started"), _lines(tmp_path / "done")
        assert started == [str(first.pid), str(second.pid)]
        assert done == [str(second.pid)]  # ran to completion once, on the second worker
    finally:
        celery_app.conf.task_always_eager = eager
        _stop(first)
        log = _stop(second) if second is not None else ""
    assert "succeeded" in log
    if not settings.REDIS_URL:  # nothing of the queue is left, claimed or waiting
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert not [n for n in os.listdir(options["data_folder_in"]) if n.endswith(f".{queue}.msg")]
        assert not [p for p in Path(options["unacked_folder"]).rglob(f"*.{queue}.msg")]


def _connection(tmp_path: Path):
    from kombu import Connection

    (tmp_path / "queue").mkdir(exist_ok=True)
    return Connection(
        "filesystem://",
        transport="config.broker:Transport",
        transport_options={
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "control_folder": str(tmp_path / "control"),
            "unacked_folder": str(tmp_path / "unacked"),
        },
    )


def _name(tmp_path: Path) -> str:
    # kombu's virtual transports remember declared exchanges per process: a fresh name per test declares
    # its exchange in this test's control folder.
    return "jobs-" + tmp_path.name


def _files(tmp_path: Path, folder: str) -> list[str]:
    return sorted(p.name for p in (tmp_path / folder).rglob("*.msg"))


def test_the_filesystem_transport_keeps_a_message_until_its_ack(tmp_path):
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue(_name(tmp_path))
        queue.put({"n": 1})
        message = queue.get(timeout=1)
        assert _files(tmp_path, "queue") == [] and len(_files(tmp_path, "unacked")) == 1  # claimed, kept
        message.ack()
        assert _files(tmp_path, "unacked") == []
        queue.close()


def test_a_clean_shutdown_and_a_requeue_put_the_message_back(tmp_path):
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue(_name(tmp_path))
        queue.put({"n": 1})
        queue.get(timeout=1).reject(requeue=True)
        assert len(_files(tmp_path, "queue")) == 1 and _files(tmp_path, "unacked") == []
        queue.get(timeout=1)  # taken, never acknowledged
        queue.close()
    assert len(_files(tmp_path, "queue")) == 1 and _files(tmp_path, "unacked") == []
    assert not list((tmp_path / "unacked").glob("*.lock"))


def test_claims_of_a_dead_consumer_go_back_to_the_queue_and_a_live_ones_stay(tmp_path):
    """A child process takes a message and dies without a word (os._exit): its lock is free, so the next
    consumer's recovery puts the message back. A live consumer's claim is left alone."""
    with _connection(tmp_path) as connection:
        connection.SimpleQueue(_name(tmp_path)).put({"n": 1})
    pid = os.fork()
    if pid == 0:  # the doomed consumer
        with _connection(tmp_path) as connection:
            connection.SimpleQueue(_name(tmp_path)).get(timeout=1)
            os._exit(0)
    os.waitpid(pid, 0)
    assert _files(tmp_path, "queue") == [] and len(_files(tmp_path, "unacked")) == 1
    with _connection(tmp_path) as connection:
        live = connection.SimpleQueue(_name(tmp_path))
        message = live.get(timeout=1)  # its first take recovers the dead one's claim, then takes it
        assert message.payload == {"n": 1}
        assert live.channel.recover_abandoned() == 0  # its own claim is not "abandoned"
        message.ack()
        live.close()
    assert _files(tmp_path, "queue") == [] and _files(tmp_path, "unacked") == []
