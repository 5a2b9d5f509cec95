"""Benchmarking (对标): for a period, every committee and branch of one university side by side — posts by
section and by category, the share of its 三会一课 minutes filed within MINUTES_FILING_DAYS, the median filing
lag, days since the last post, and its rank among its peers. Six queries whatever the number of units.

Ranking: by posts published in the period, then by the share of minutes filed on time (more is better),
standard competition ranking (1, 2, 2, 4). Committees rank among committees; branches within their
committee and across the university.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from disclosure.models import Meeting, Post, PostCategory
from disclosure.public_cache import public_generation

# 三会一课: the four meeting types of the rule.
THREE_MEETINGS_ONE_LECTURE = (
    Meeting.Kind.GENERAL_ASSEMBLY,
    Meeting.Kind.BRANCH_COMMITTEE,
    Meeting.Kind.GROUP_MEETING,
    Meeting.Kind.PARTY_LECTURE,
)
PERIODS = {
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "year": _("This year"),
    "12m": _("Last 12 months"),
}
DEFAULT_PERIOD = "90d"


def period_range(key: str, today: datetime.date | None = None) -> tuple[str, datetime.date, datetime.date]:
    """(key, first day, last day) of a period choice; an unknown key gives the default."""
    today = today or timezone.localdate()
    if key not in PERIODS:
        key = DEFAULT_PERIOD
    if key == "30d":
        start = today - datetime.timedelta(days=29)
    elif key == "90d":
        start = today - datetime.timedelta(days=89)
    elif key == "year":
        start = today.replace(month=1, day=1)
    else:
        start = today - datetime.timedelta(days=364)
    return key, start, today


@dataclass
class BenchRow:
    unit: Organization
    committee: Organization | None = None
    sections: dict[str, int] = field(default_factory=dict)
    categories: dict[int, int] = field(default_factory=dict)
    total: int = 0
    filed: int = 0
    on_time: int = 0
    median_lag: float | None = None
    last: datetime.datetime | None = None
    days_since: int | None = None
    rank_peers: int | None = None
    peers: int = 0
    rank_all: int | None = None
    all: int = 0
    section_list: list[int] = field(default_factory=list)  # in Post.Section order, for the table
    category_list: list[int] = field(default_factory=list)  # in the categories' order

    @property
    def on_time_share(self) -> float | None:
        return round(100 * self.on_time / self.filed, 1) if self.filed else None

    def key(self) -> tuple:
        share = self.on_time / self.filed if self.filed else -1
        return (-self.total, -share)


@dataclass
class Benchmark:
    university: Organization | None
    universities: list[Organization]
    period: str
    start: datetime.date
    end: datetime.date
    categories: list[PostCategory]
    committees: list[BenchRow]
    branches: list[BenchRow]

    @property
    def section_labels(self) -> list[str | Promise]:  # the choices' lazy labels
        return [label for _value, label in Post.Section.choices]


def _rank(rows: list[BenchRow], attr: str, total_attr: str) -> None:
    ordered = sorted(rows, key=BenchRow.key)
    previous, rank = None, 0
    for i, row in enumerate(ordered, start=1):
        if row.key() != previous:
            rank, previous = i, row.key()
        setattr(row, attr, rank)
        setattr(row, total_attr, len(rows))


def benchmark(
    *, period: str = DEFAULT_PERIOD, university_code: str | None = None, today: datetime.date | None = None
) -> Benchmark:
    """The whole comparison for one university (the first one unless ``university_code`` names another).
    Counts every published post whatever its visibility: the work is compared, not the content shown."""
    today = today or timezone.localdate()
    period, start, end = period_range(period, today)
    universities = list(Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path"))  # 1
    university = next(
        (u for u in universities if u.code == university_code), universities[0] if universities else None
    )
    categories = list(PostCategory.objects.filter(is_active=True))  # 2
    if university is None:
        return Benchmark(None, [], period, start, end, categories, [], [])
    units = list(  # 3
        Organization.objects.filter(
            path__startswith=university.path,
            is_active=True,
            kind__in=[*Organization.SECONDARY_KINDS, Organization.Kind.BRANCH],
        ).order_by("path")
    )
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    in_tree = Post.objects.published().filter(organization__path__startswith=university.path).order_by()
    in_period = in_tree.filter(published_at__gte=since, published_at__lt=until)
    rows = {u.pk: BenchRow(u) for u in units}
    for org_id, section, category_id, n in in_period.values_list(  # 4
        "organization_id", "section", "category_id"
    ).annotate(n=Count("pk")):
        row = rows.get(org_id)
        if row is not None:
            row.sections[section] = row.sections.get(section, 0) + n
            row.categories[category_id] = row.categories.get(category_id, 0) + n
            row.total += n
    for org_id, last in in_tree.values_list("organization_id").annotate(last=Max("published_at")):  # 5
        if org_id in rows:
            rows[org_id].last = last
            rows[org_id].days_since = (today - timezone.localtime(last).date()).days
    lags: dict[int, list[int]] = {}
    for org_id, lag in (  # 6
        Meeting.objects.filed()
        .filter(
            organization__path__startswith=university.path,
            kind__in=THREE_MEETINGS_ONE_LECTURE,
            held_at__gte=since,
            held_at__lt=until,
            filing_lag_days__isnull=False,
        )
        .order_by()
        .values_list("organization_id", "filing_lag_days")
    ):
        lags.setdefault(org_id, []).append(lag)
    days = settings.MINUTES_FILING_DAYS
    for org_id, values in lags.items():
        if org_id in rows:
            row = rows[org_id]
            row.filed = len(values)
            row.on_time = sum(1 for v in values if v <= days)
            row.median_lag = statistics.median(values)
    committees: list[BenchRow] = []
    branches: list[BenchRow] = []
    by_committee: dict[int, list[BenchRow]] = {}
    committee_paths: dict[str, BenchRow] = {}
    for unit in units:
        row = rows[unit.pk]
        if unit.kind in Organization.SECONDARY_KINDS:
            committees.append(row)
            committee_paths[unit.path] = row
            by_committee[unit.pk] = []
        else:
            for cut in range(len(unit.path) - Organization.steplen, 0, -Organization.steplen):
                parent = committee_paths.get(unit.path[:cut])
                if parent is not None:
                    row.committee = parent.unit
                    by_committee[parent.unit.pk].append(row)
                    break
            branches.append(row)
    for row in rows.values():
        row.section_list = [row.sections.get(value, 0) for value in Post.Section.values]
        row.category_list = [row.categories.get(c.pk, 0) for c in categories]
    _rank(committees, "rank_peers", "peers")
    for peers in by_committee.values():
        _rank(peers, "rank_peers", "peers")
    _rank(branches, "rank_all", "all")
    return Benchmark(university, universities, period, start, end, categories, committees, branches)


def benchmark_shared(
    *, period: str = DEFAULT_PERIOD, university_code: str | None = None, today: datetime.date | None = None
) -> Benchmark:
    """``benchmark(...)`` computed once per publish generation and shared by every viewer (issue 17).

    The comparison is the same whoever looks (it counts every published post whatever its visibility), and
    what changes it — a post published, edited or withdrawn, minutes filed or returned — replaces the publish
    generation (``disclosure.public_cache``), which is part of the key: a signed-in visitor then costs what the
    anonymous one costs (whose whole page the middleware keeps), instead of scanning the university's posts and
    meetings on every request. The day is in the key too (the periods and "days since" follow it), and
    ``BENCHMARK_CACHE_SECONDS`` bounds what nothing invalidates (a unit renamed or added). 0: never cached.
    Queries: none when cached, else ``benchmark``'s six."""
    seconds = settings.BENCHMARK_CACHE_SECONDS
    today = today or timezone.localdate()
    if seconds <= 0:
        return benchmark(period=period, university_code=university_code, today=today)
    period = period_range(period, today)[0]
    key = f"disclosure:benchmark:{public_generation()}:{today.isoformat()}:{period}:{university_code or ''}"
    bench = cache.get(key)
    if bench is None:
        bench = benchmark(period=period, university_code=university_code, today=today)
        cache.set(key, bench, seconds)
    return bench


def benchmark_chart_data(bench: Benchmark) -> dict:
    """What the charts draw (into the page with json_script): committees' posts by section, and every
    branch's posts against its on-time share."""
    sections = [(value, str(label)) for value, label in Post.Section.choices]
    return {
        "sections": [label for _value, label in sections],
        "committees": [row.unit.display_name for row in bench.committees],
        "series": [[row.sections.get(value, 0) for row in bench.committees] for value, _label in sections],
        "branches": [
            [row.total, row.on_time_share if row.on_time_share is not None else 0, row.unit.display_name]
            for row in bench.branches
        ],
        "labels": {"posts": str(_("Posts")), "on_time": str(_("Minutes filed on time (%)"))},
    }


def benchmark_committee(bench: Benchmark, code: str | None) -> tuple[BenchRow | None, list[BenchRow]]:
    """The committee whose branches the page lists (``code``, else the best-ranked committee) and those
    branches. The page lists one committee's branches at a time, so its size follows the largest committee,
    not the university (issue 17.5); the ranks stay the university's."""
    ranked = sorted(bench.committees, key=lambda row: (row.rank_peers or 0, row.unit.path))
    chosen = next((row for row in ranked if row.unit.code == code), ranked[0] if ranked else None)
    if chosen is None:
        return None, bench.branches
    return chosen, [
        row for row in bench.branches if row.committee is not None and row.committee.pk == chosen.unit.pk
    ]
