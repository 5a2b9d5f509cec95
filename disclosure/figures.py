"""disclosure's blocks of the 组织部 dashboard (``branches.figures``): 三会一课 completion by month (the heat
map) and publication (晾晒) — posts, minutes filed on time, the latest update."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from branches.figures import Block, Column, Figures, register_block
from branches.models import Organization
from disclosure.models import Meeting, Post
from disclosure.selectors.benchmark import THREE_MEETINGS_ONE_LECTURE
from disclosure.selectors.meetings import compliance

MONTHS = range(1, 13)
PUBLICATION_DAYS = 90


def collect_meetings(root: Organization, today: datetime.date):
    """The compliance selector's four queries: for each active branch, each required meeting's period of this
    year counted in the month it ends, as done, missing (ended short) or due (running now); then one for
    the filing lag of the year's filed records and those still awaiting review, by unit."""
    for entry in compliance(root=root, year=today.year, today=today):
        figures: Figures = {"branches": 1, "behind": 1 if entry.missing else 0}
        for row in entry.rows:
            for cell in row.cells:
                if cell.state != "future":
                    key = f"{cell.state}_{cell.last_month}"
                    figures[key] = figures.get(key, 0) + 1
        yield entry.branch.pk, figures
    # The filing lag of this year's records (the unit page's compliance panel): ``filing_lag_summary`` as sums.
    for row in (
        Meeting.objects.filed()
        .filter(organization__path__startswith=root.path, held_at__year=today.year)
        .values("organization_id")
        .annotate(
            filed=Count("pk"),
            late=Count("pk", filter=Q(is_late=True)),
            lag_days=Sum("filing_lag_days"),
            lagged=Count("filing_lag_days"),
            # Awaiting the reviewer (the 组织部's first screen, issue 22): counted in the same query.
            waiting=Count("pk", filter=Q(status=Meeting.Status.SUBMITTED)),
        )
        .order_by()
    ):
        yield (
            row["organization_id"],
            {
                "filed": row["filed"],
                "late": row["late"],
                "lag_days": row["lag_days"] or 0,
                "lagged": row["lagged"],
                "waiting": row["waiting"],
            },
        )


def derive_meetings(values: Figures, as_of: datetime.date) -> Figures:
    derived: Figures = {}
    done_all = ended_all = 0
    for month in MONTHS:
        done = values.get(f"done_{month}", 0)
        total = done + values.get(f"missing_{month}", 0) + values.get(f"due_{month}", 0)
        derived[f"m{month}"] = done / total if total else None
        done_all += done
        ended_all += done + values.get(f"missing_{month}", 0)
    derived["completion"] = done_all / ended_all if ended_all else None
    return derived


register_block(
    Block(
        key="meetings",
        title=_("三会一课 completion by month"),
        collect=collect_meetings,
        derive=derive_meetings,
        columns=(
            *(Column(f"m{month}", format_lazy(_("Month {}"), month), "percent") for month in MONTHS),
            Column("completion", _("Year so far"), "percent"),
            Column("branches", _("Branches")),
            Column("behind", _("Branches behind")),
        ),
        chart="heatmap",
        chart_keys=tuple(f"m{month}" for month in MONTHS),
        order=20,
        note=_(
            "Share of the required meetings held (approved minutes) in each period, counted in the month the "
            "period ends; the running month counts what is held so far."
        ),
    )
)


def collect_publication(root: Organization, today: datetime.date):
    """Three queries: published posts of the last 90 days by unit and section, each unit's latest post, and the
    minutes of this year's 三会一课 filed by unit, on time or late."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=PUBLICATION_DAYS), datetime.time.min, tzinfo=tz
    )
    posts = Post.objects.published().filter(organization__path__startswith=root.path).order_by()
    for org_id, section, n in (
        posts.filter(published_at__gte=since)
        .values_list("organization_id", "section")
        .annotate(n=Count("pk"))
    ):
        yield org_id, {"posts": n, f"section_{section}": n}
    for org_id, last in posts.values_list("organization_id").annotate(last=Max("published_at")):
        yield org_id, {"last_post": timezone.localtime(last).date().isoformat()}
    year_start = datetime.datetime(today.year, 1, 1, tzinfo=tz)
    for row in (
        Meeting.objects.filed()
        .filter(
            organization__path__startswith=root.path,
            kind__in=THREE_MEETINGS_ONE_LECTURE,
            held_at__gte=year_start,
            filing_lag_days__isnull=False,
        )
        .values("organization_id")
        .annotate(
            n=Count("pk"), on_time=Count("pk", filter=Q(filing_lag_days__lte=settings.MINUTES_FILING_DAYS))
        )
        .order_by()
    ):
        yield row["organization_id"], {"minutes": row["n"], "on_time": row["on_time"]}


def derive_publication(values: Figures, as_of: datetime.date) -> Figures:
    minutes = values.get("minutes", 0)
    last = values.get("last_post")
    return {
        "on_time_share": values.get("on_time", 0) / minutes if minutes else None,
        "days_since": (as_of - datetime.date.fromisoformat(last)).days if last else None,
    }


register_block(
    Block(
        key="publication",
        title=_("Publication (晾晒)"),
        collect=collect_publication,
        derive=derive_publication,
        columns=(
            Column("posts", _("Posts, last 90 days")),
            *(Column(f"section_{value}", label) for value, label in Post.Section.choices),
            Column("on_time_share", _("Minutes filed on time"), "percent"),
            Column("last_post", _("Latest post"), "date"),
            Column("days_since", _("Days since")),
        ),
        chart="bar",
        chart_keys=tuple(f"section_{value}" for value in Post.Section.values),
        order=30,
        note=_(
            "Published posts of the last 90 days by section, whatever their visibility; this year's 三会一课 "
            "minutes filed within the filing period."
        ),
    )
)


def watch_writes() -> None:
    from branches.figures import watch

    watch(Meeting, lambda meeting: meeting.organization_id)
    watch(Post, lambda post: post.organization_id)
