"""The Celery app. Every periodic schedule lives here, in one place, with when it runs."""

import os

from celery import Celery
from celery.schedules import crontab

from config.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every few minutes: the dashboard's snapshot figures of every tree (writes also queue a refresh of
    # their university, a few seconds later), so the dashboard never scans the raw tables.
    "figures-refresh": {
        "task": "branches.tasks.figures_refresh_all",
        "schedule": env_int("FIGURES_REFRESH_MINUTES", 15, minimum=1) * 60.0,  # as in settings
    },
    # 01:30 Beijing time, after the day's filings: snapshot the statistics the 组织部 reports upward,
    # so figures "as of" a date stay available after members move on.
    "stats-snapshot-daily": {
        "task": "members.tasks.stats_snapshot_take_all",
        "schedule": crontab(hour=1, minute=30),
    },
    # 02:00 Beijing time, every day: the daily cycle step (DESIGN §7; `manage.py advance_cycles` runs the
    # same service): meeting reminders and review to-dos now, assessment phases later. Idempotent, so a
    # repeated run changes nothing and the run after a missed one catches up.
    "advance-cycles-daily": {
        "task": "assessments.tasks.advance_cycles",
        "schedule": crontab(hour=2, minute=0),
    },
    # 07:30 Beijing time, after the 02:00 step has brought every to-do up to date: one digest per person of
    # what is newly due for them (nothing when nothing is), overdue items escalated once (notifications).
    "notifications-digest-daily": {
        "task": "notifications.tasks.digest_run",
        "schedule": crontab(hour=7, minute=30),
    },
    # Every 10 minutes: send the deliveries that quiet hours or a retry's back-off held back, and those a
    # dead worker left half-sent (each send claims its row, so an overlap sends nothing twice).
    "notifications-sweep": {
        "task": "notifications.tasks.deliveries_sweep",
        "schedule": 10 * 60.0,
    },
    # 03:10 Beijing time: forget create forms' one-time keys older than a month (branches.once).
    "once-keys-expire-daily": {
        "task": "branches.tasks.once_keys_expire",
        "schedule": crontab(hour=3, minute=10),
    },
}
