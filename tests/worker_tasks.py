"""A task only the worker tests load (``celery worker --include tests.worker_tasks``): it records that it
started, waits until the test releases it, then records that it finished. Files, not rows, so the test can
tell "running now" from "done" without a database transaction in between. It takes the project's
defaults (late acknowledgement, requeue on worker loss), as every task does."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task
def wait_for_release(workdir: str) -> int:
    directory = Path(workdir)
    with open(directory / "started", "a") as f:
        f.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 120
    while not (directory / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with open(directory / "done", "a") as f:
        f.write(f"{os.getpid()}\n")
    return os.getpid()
