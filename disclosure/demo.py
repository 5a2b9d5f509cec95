"""A year of demo meetings for every branch (and the secondary committees' own meetings), for load_demo.

The frequencies come from the ``MeetingRule`` rows in the database, so the demo follows whatever rules the
university has set: 党小组会 only where a branch has party groups, 支委会 only where it has enough full
members. The picture is meant to look like a real year, not a perfect one:

* most branches hold every required meeting; about one in seven (``BEHIND_SHARE``) skips some periods of
  one or two monthly or quarterly types, mostly in the current year so this year's compliance shows it;
* filings usually follow within days, but a tenth of the branches are sloppy and often file late
  (lag > ``MINUTES_FILING_DAYS``), and anyone is late now and then;
* statuses follow from the dates: a meeting whose filing date has not come yet is still a draft, a record
  filed in the last few days may still await review, a few are returned (退回) once and either
  resubmitted or still waiting for the secretary; everything older is approved. The first branch (the
  demo login zb001's) always has one record returned, so its secretary's to-do list is never empty.

"A year" is the 12 calendar months up to the load date (the current month so far): the months of the
previous calendar year before that window have no meetings, so that year's compliance shows them missing.

Rows are written with bulk inserts in chunks (memory stays flat at ``--scale 10``), with one history row
per meeting dated at its last event. Attendance rows are written only for the 支部党员大会 (the one meeting
whose quorum matters); every other meeting carries its counts only. Everything is drawn from the ``rng``
passed in, so a seed always gives the same meetings.

Importing this module registers the step with ``members.demo`` (members cannot import disclosure).
"""

from __future__ import annotations

import bisect
import datetime
import operator
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.attachments import attachments_remove
from branches.bulk import execute_many
from branches.dates import month_end
from branches.models import Organization, Role
from disclosure.models import Attachment, Attendance, Meeting, MeetingRule, Period, ReviewRoute, Todo
from disclosure.selectors import REVIEWER_ROLES
from disclosure.services import todo_key
from members.demo import DemoBuilder, DemoStep, register_demo_step
from members.models import Member

BEHIND_SHARE = 0.15  # branches that skip some required meetings
SLOPPY_SHARE = 0.10  # branches that often file late
LATE_SLOPPY, LATE_USUAL = 0.35, 0.03  # chance that one filing is late
RETURN_SHARE = 0.04  # records the reviewer returns once (退回)
VOTE_SHARE = 0.3  # general assemblies that take a vote (development, confirmation of probationers)
CHUNK = 4000  # meetings per bulk write

K = Meeting.Kind
BRANCH_HOURS = {"student": ((19, 0), (14, 30), (15, 0)), "other": ((14, 30), (15, 0), (16, 0), (10, 0))}
TOPICS = {
    K.GENERAL_ASSEMBLY: (
        "学习《中国共产党章程》",
        "传达学习上级党委全会精神",
        "讨论支部年度工作计划",
        "预备党员转正讨论",
        "讨论接收预备党员",
        "通报党费收缴和使用情况",
        "推选优秀共产党员",
        "学习《中国共产党纪律处分条例》",
    ),
    K.BRANCH_COMMITTEE: (
        "研究本月支部工作安排",
        "研究发展党员工作",
        "讨论主题党日活动方案",
        "研究党员教育培训计划",
        "讨论入党积极分子培养考察情况",
        "研究困难党员关怀帮扶",
        "部署组织生活会准备工作",
    ),
    K.GROUP_MEETING: (
        "学习党的创新理论",
        "交流学习心得体会",
        "讨论入党积极分子考察意见",
        "收缴党费",
        "学习先进典型事迹",
    ),
    K.PARTY_LECTURE: (
        "新时代党的建设总要求",
        "弘扬伟大建党精神",
        "党史学习专题",
        "全面从严治党永远在路上",
        "坚定理想信念 筑牢思想根基",
        "以党建引领立德树人",
        "学习《中国共产党支部工作条例（试行）》",
    ),
    K.THEME_DAY: (
        "重温入党誓词",
        "参观红色教育基地",
        "志愿服务进社区",
        "学习身边榜样",
        "“七一”主题党日",
        "走访慰问老党员",
        "观看红色影片并交流",
        "读书分享会",
    ),
    K.ORGANIZATIONAL_LIFE: ("年度组织生活会：对照检查、批评与自我批评",),
    K.DEMOCRATIC_REVIEW: ("民主评议党员：个人自评、党员互评、民主测评",),
    K.COMMITTEE_MEETING: (
        "研究学院党建工作要点",
        "研究干部选拔任用事项",
        "审议发展党员事项",
        "研究意识形态工作",
        "听取支部工作汇报",
        "研究“三重一大”事项",
    ),
    K.JOINT_MEETING: ("研究学院年度预算", "研究人才引进事项", "研究学科建设规划", "研究学生工作重点事项"),
    K.CENTRAL_GROUP_STUDY: ("专题学习党的创新理论", "学习全国教育大会精神", "学习党纪学习教育读本"),
}
PLACES = ("行政楼", "教学楼", "图书馆", "实验楼", "学院楼", "学生活动中心")
OUTINGS = ("校史馆", "红色教育基地", "社区服务中心", "革命纪念馆", "博物馆")
LEAVE_REASONS = {
    "student": ("实习在外", "课程冲突", "病假", "外出参赛", "家中有事"),
    "other": ("出差", "病假", "外出培训", "教学任务冲突", "家中有事", "外出调研"),
}
ABSENT_REASONS = ("临时有事未及时请假", "未按时参会")
RETURN_REASONS = (
    "会议记录过于简略，请补充讨论情况",
    "缺少缺席人员的请假原因",
    "请补充会议决议",
    "参会人数与签到表不一致",
)


@dataclass
class _Unit:
    """What the generator needs to know about one branch or committee."""

    org: Organization
    reviewer_id: int | None
    reviewer_user_id: int | None
    secretary_user_id: int | None
    members: list[tuple] = field(default_factory=list)  # (pk, name, stage, joined_on, full_on, group_id)
    joined: list[datetime.date] = field(default_factory=list)  # sorted join dates, for counts by date
    groups: list[int] = field(default_factory=list)
    group_sizes: dict[int, int] = field(default_factory=dict)
    full: int = 0
    chair: str = ""
    recorder: str = ""
    behind: dict[str, set[tuple[int, int]]] = field(default_factory=dict)  # kind → skipped periods
    late_share: float = LATE_USUAL
    theme_day: int = 15
    room: str = ""

    @property
    def flavour(self) -> str:
        return "student" if self.org.category == Organization.Category.STUDENT else "other"


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(index: int) -> datetime.date:
    return month_end(index // 12, index % 12 + 1)


PeriodSpan = tuple[tuple[int, int], datetime.date, datetime.date]


def _periods(period: str, first_month: int, last_month: int) -> list[PeriodSpan]:
    """The periods of one rule that overlap the months ``first_month``..``last_month`` (month indexes):
    (key, first day, last day), the key being (year, first month of the period)."""
    step = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period]
    out = []
    index = first_month - (first_month % 12) % step
    while index <= last_month:
        out.append(((index // 12, index % 12 + 1), _month_start(index), _month_end(index + step - 1)))
        index += step
    return out


class MeetingDemo:
    """Builds the meetings of every active branch and secondary committee under ``scope`` (all if None)."""

    def __init__(self, *, today: datetime.date, rng: random.Random, scope: Organization | None = None):
        self.today = today
        self.rng = rng
        self.scope = scope
        self.last_day = today - datetime.timedelta(days=1)  # everything happened before today
        self.last_month = _month_index(today)
        self.first_month = self.last_month - 11  # the 12 months up to today
        self.window_start = _month_start(self.first_month)
        self.late_after = settings.MINUTES_FILING_DAYS
        self.tz = timezone.get_current_timezone()
        self.pending: list[Meeting] = []
        self.pending_attendance: list[list[tuple[int, str, str]]] = []
        self.returned: list[Meeting] = []
        self._secretaries: dict[int, int] = {}  # unit id → the user who files its minutes
        self.counts: dict[str, int] = defaultdict(int)

    # --- reading what exists ----------------------------------------------------------------------
    def _units(self) -> tuple[list[_Unit], list[_Unit]]:
        orgs = Organization.objects.filter(is_active=True)
        if self.scope is not None:
            orgs = orgs.subtree_of(self.scope)
        orgs = list(orgs.order_by("path"))
        by_path = {o.path: o for o in orgs}
        routes = dict(ReviewRoute.objects.values_list("category", "reviewer_id"))
        reviewing_kinds = {
            *Organization.SECONDARY_KINDS,
            Organization.Kind.UNIVERSITY,
            Organization.Kind.PROVINCE,
        }

        def reviewer_of(org: Organization) -> int | None:
            # As disclosure.selectors.reviewer_unit_for, without a query per unit.
            if org.category and org.category in routes:
                return routes[org.category]
            parents = org.ancestor_paths()[:-1]
            if not parents:
                return org.pk  # a root reviews its own
            for path in reversed(parents):
                parent = by_path.get(path)
                if parent is not None and parent.kind in reviewing_kinds:
                    return parent.pk
            return None

        roles: dict[tuple[int, str], int] = {}
        for user_id, org_id, kind in (
            Role.objects.current().order_by("pk").values_list("user_id", "organization_id", "kind")
        ):
            roles.setdefault((org_id, kind), user_id)

        def first_role(org_id: int | None, kinds) -> int | None:
            return next((roles[(org_id, k)] for k in kinds if (org_id, k) in roles), None)

        # 组织委员 review minutes first; the unit's secretaries file them.
        review_order = (Role.Kind.ORGANIZER, *[k for k in REVIEWER_ROLES if k != Role.Kind.ORGANIZER])
        file_order = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)
        branches, committees = [], []
        for org in orgs:
            if org.kind not in (Organization.Kind.BRANCH, *Organization.SECONDARY_KINDS):
                continue
            reviewer = reviewer_of(org)
            unit = _Unit(
                org=org,
                reviewer_id=reviewer,
                reviewer_user_id=first_role(reviewer, review_order),
                secretary_user_id=first_role(org.pk, file_order),
            )
            (branches if org.kind == Organization.Kind.BRANCH else committees).append(unit)
        by_branch = {u.org.pk: u for u in branches}
        for org in orgs:
            if org.kind == Organization.Kind.GROUP:
                parent = by_path.get(org.path[: -org.steplen])
                if parent is not None and parent.pk in by_branch:
                    by_branch[parent.pk].groups.append(org.pk)
        members = Member.objects.active().party_members()
        if self.scope is not None:
            members = members.in_subtree(self.scope)
        name_of_user: dict[int, str] = {}
        for pk, name, stage, joined_on, full_on, branch_id, group_id, user_id in members.order_by(
            "pk"
        ).values_list(
            "pk", "name", "stage", "joined_on", "full_on", "branch_id", "party_group_id", "user_id"
        ):
            if user_id is not None:
                name_of_user[user_id] = name
            unit = by_branch.get(branch_id)
            if unit is None:
                continue
            unit.members.append((pk, name, stage, joined_on, full_on, group_id))
            unit.full += stage == Member.Stage.FULL
            if group_id is not None:
                unit.group_sizes[group_id] = unit.group_sizes.get(group_id, 0) + 1
        for unit in branches:
            unit.joined = sorted(m[3] or self.window_start for m in unit.members)
            names = [m[1] for m in unit.members] or ["—"]
            unit.chair = name_of_user.get(unit.secretary_user_id, names[0])
            unit.recorder = names[1] if len(names) > 1 else names[0]
        for unit in committees:
            unit.chair = name_of_user.get(
                first_role(unit.org.pk, (Role.Kind.SECRETARY, Role.Kind.DEPUTY)), ""
            )
        return branches, committees

    # --- drawing ------------------------------------------------------------------------------------
    def _profile(self, unit: _Unit, rules: list[MeetingRule]) -> None:
        rng = self.rng
        unit.theme_day = rng.randint(5, 25)
        unit.room = f"{rng.choice(PLACES)}{rng.randint(1, 6)}{rng.randint(1, 20):02d}会议室"
        unit.late_share = LATE_SLOPPY if rng.random() < SLOPPY_SHARE else LATE_USUAL
        if rng.random() >= BEHIND_SHARE:
            return
        # Skip some periods of one or two monthly or quarterly types, preferring periods of this year
        # that are over, so that this year's compliance shows the gap.
        candidates = [
            r for r in rules if r.period in (Period.MONTH, Period.QUARTER) and self._applies(r, unit)
        ]
        for rule in rng.sample(candidates, k=min(len(candidates), rng.choice((1, 1, 2)))):
            ended = [
                key
                for key, _start, end in _periods(rule.period, self.first_month, self.last_month)
                if end < self.today and _month_start(key[0] * 12 + key[1] - 1) >= self.window_start
            ]
            this_year = [key for key in ended if key[0] == self.today.year] or ended
            if this_year:
                k = 1 if rule.period == Period.QUARTER else rng.randint(1, min(3, len(this_year)))
                unit.behind[rule.kind] = set(rng.sample(this_year, k=k))

    def _applies(self, rule: MeetingRule, unit: _Unit) -> bool:
        if rule.only_with_groups and not unit.groups:
            return False
        return not (rule.min_full_members and unit.full < rule.min_full_members)

    def _day_in(self, start: datetime.date, end: datetime.date, *, staff: bool) -> datetime.date:
        start = max(start, self.window_start)
        day = start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))
        if staff and day.weekday() >= 5:  # staff meet on working days: back to Friday if it stays in period
            friday = day - datetime.timedelta(days=day.weekday() - 4)
            day = friday if friday >= start else day + datetime.timedelta(days=7 - day.weekday())
        return day

    def _at(self, day: datetime.date, hour_minute: tuple[int, int]) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(*hour_minute), tzinfo=self.tz)

    def _office_time(self, day: datetime.date) -> datetime.datetime:
        return self._at(day, (self.rng.randint(8, 21), self.rng.randrange(0, 60, 5)))

    def _file(self, meeting: Meeting, unit: _Unit) -> None:
        """Draft, submitted, returned or approved, from when it was filed and reviewed (all before today)."""
        rng = self.rng
        held_on = meeting.held_at.date()
        late = rng.random() < unit.late_share
        lag = (
            rng.randint(self.late_after + 1, self.late_after + 30)
            if late
            else min(int(rng.expovariate(1 / 2.0)), self.late_after)
        )
        filed_on = held_on + datetime.timedelta(days=lag)
        meeting.created_by_id = unit.secretary_user_id
        if filed_on > self.last_day or unit.reviewer_id is None:
            meeting.status = Meeting.Status.DRAFT
            return
        meeting.reviewer_id = unit.reviewer_id
        # Filed the same day: after the meeting, not before it.
        filed_at = max(self._office_time(filed_on), meeting.held_at + datetime.timedelta(hours=2))
        meeting.first_submitted_at = meeting.submitted_at = filed_at
        meeting.filing_lag_days = lag
        meeting.is_late = lag > self.late_after
        meeting.status = Meeting.Status.SUBMITTED
        reviewed_on = filed_on + datetime.timedelta(days=rng.randint(0, 5))
        if reviewed_on > self.last_day:
            return
        meeting.reviewed_by_id = unit.reviewer_user_id
        meeting.reviewed_at = max(self._office_time(reviewed_on), meeting.submitted_at)
        if rng.random() < RETURN_SHARE:
            # 退回 once; as with the services, a resubmitted record keeps the reason until it is approved.
            meeting.return_reason = rng.choice(RETURN_REASONS)
            fixed_on = reviewed_on + datetime.timedelta(days=rng.randint(1, 10))
            if fixed_on > self.last_day:
                meeting.status = Meeting.Status.RETURNED
                self.returned.append(meeting)
                return
            meeting.submitted_at = max(self._office_time(fixed_on), meeting.reviewed_at)
            reviewed_on = fixed_on + datetime.timedelta(days=rng.randint(0, 3))
            if reviewed_on > self.last_day:
                return  # resubmitted, awaiting review again
            meeting.reviewed_at = max(self._office_time(reviewed_on), meeting.submitted_at)
            meeting.return_reason = ""
        meeting.status = Meeting.Status.APPROVED

    def _counts(self, meeting: Meeting, expected: int, unit: _Unit) -> None:
        rng = self.rng
        leave = min(expected, int(expected * rng.uniform(0.0, 0.16)))
        absent = 1 if expected - leave > 1 and rng.random() < 0.15 else 0
        meeting.expected_count = expected
        meeting.leave_count = leave
        meeting.absent_count = absent
        meeting.present_count = expected - leave - absent

    def _attendance(self, meeting: Meeting, unit: _Unit) -> list[tuple[int, str, str]]:
        """(member id, status, reason) for every party member who had joined by the day; sets the counts."""
        rng = self.rng
        day = meeting.held_at.date()
        reasons = LEAVE_REASONS[unit.flavour]
        rows = []
        voting_expected = voting_present = 0
        for pk, _name, stage, joined_on, full_on, _group in unit.members:
            if joined_on and joined_on > day:
                continue
            draw = rng.random()
            if draw < 0.08:
                status, reason = Attendance.Status.LEAVE, rng.choice(reasons)
            elif draw < 0.095:
                status, reason = Attendance.Status.ABSENT, rng.choice(ABSENT_REASONS)
            else:
                status, reason = Attendance.Status.PRESENT, ""
            rows.append((pk, str(status), reason))
            if stage == Member.Stage.FULL and (full_on is None or full_on <= day):
                voting_expected += 1
                voting_present += status == Attendance.Status.PRESENT
        meeting.expected_count = len(rows)
        meeting.present_count = sum(1 for r in rows if r[1] == Attendance.Status.PRESENT)
        meeting.leave_count = sum(1 for r in rows if r[1] == Attendance.Status.LEAVE)
        meeting.absent_count = meeting.expected_count - meeting.present_count - meeting.leave_count
        meeting.voting_expected, meeting.voting_present = voting_expected, voting_present
        # A vote needs more than half of the voting members present (DESIGN §5).
        meeting.takes_vote = rng.random() < VOTE_SHARE and voting_present * 2 > voting_expected
        if meeting.takes_vote:
            probationers = [m[1] for m in unit.members if m[2] == Member.Stage.PROBATIONARY]
            meeting.decisions = (
                f"经表决，同意{rng.choice(probationers)}同志按期转为中共正式党员。"
                if probationers
                else "经表决，同意接收入党积极分子为预备党员。"
            )
        return rows

    def _meeting(self, unit: _Unit, kind: str, day: datetime.date, *, group: int | None = None) -> Meeting:
        rng = self.rng
        topic = rng.choice(TOPICS[kind])
        if kind == K.THEME_DAY and rng.random() < 0.4:
            place = rng.choice(OUTINGS)
        elif rng.random() < 0.08:
            place = "线上（腾讯会议）"
        else:
            place = unit.room
        meeting = Meeting(
            organization_id=unit.org.pk,
            party_group_id=group,
            kind=kind,
            topics=topic,
            place=place,
            held_at=self._at(day, rng.choice(BRANCH_HOURS[unit.flavour])),
            chair=unit.chair,
            recorder=unit.recorder,
            visibility=(
                Meeting.Visibility.PUBLIC
                if kind in (K.THEME_DAY, K.PARTY_LECTURE) and rng.random() < 0.5
                else Meeting.Visibility.INTERNAL
            ),
        )
        if kind == K.PARTY_LECTURE:
            # The secretary lectures half the time (支部书记讲党课), otherwise a member does.
            lecturer = unit.chair
            if unit.members and rng.random() < 0.5:
                lecturer = rng.choice(unit.members)[1]
            meeting.lecturer = lecturer
        return meeting

    def _minutes(self, meeting: Meeting) -> None:
        meeting.minutes = (
            f"<p>{meeting.chair}主持会议，主题：{meeting.topics}。应到{meeting.expected_count}人，"
            f"实到{meeting.present_count}人，请假{meeting.leave_count}人，缺席{meeting.absent_count}人。</p>"
            f"<p>与会同志结合工作实际进行了交流发言。</p>"
        )

    # --- writing ------------------------------------------------------------------------------------
    def _add(self, meeting: Meeting, attendance: list[tuple[int, str, str]], unit: _Unit) -> None:
        self._minutes(meeting)
        self._file(meeting, unit)
        self.pending.append(meeting)
        self.pending_attendance.append(attendance)
        if len(self.pending) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        _meetings_insert(self.pending)
        _history_insert([m.pk for m in self.pending])
        rows = [
            (meeting.pk, *row)
            for meeting, attendance in zip(self.pending, self.pending_attendance)
            for row in attendance
        ]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:  # one prepared INSERT for every row: no ORM compiling per batch
            execute_many(
                cursor,
                "INSERT INTO {} ({}, {}, {}, {}) VALUES (%s, %s, %s, %s)".format(
                    quote(Attendance._meta.db_table),
                    *(
                        quote(Attendance._meta.get_field(name).column)
                        for name in ("meeting", "member", "status", "reason")
                    ),
                ),
                rows,
            )
        self.counts["meetings"] += len(self.pending)
        self.counts["attendance"] += len(rows)
        for meeting in self.pending:
            self.counts[str(meeting.status)] += 1
            self.counts["late"] += meeting.is_late
        self.pending, self.pending_attendance = [], []

    def _branch_meetings(self, unit: _Unit, rules: list[MeetingRule]) -> None:
        staff = unit.flavour != "student"
        for rule in rules:
            if not self._applies(rule, unit):
                continue
            skipped = unit.behind.get(rule.kind, set())
            for key, start, end in _periods(rule.period, self.first_month, self.last_month):
                times = rule.times - (key in skipped)
                for _time in range(times):
                    if rule.kind == K.THEME_DAY and rule.period == Period.MONTH:
                        day = start.replace(day=min(unit.theme_day, end.day))  # on the branch's fixed day
                    else:
                        day = self._day_in(start, end, staff=staff)
                    if day > self.last_day or day < self.window_start:
                        continue  # not held yet (this period is still running) or before the year
                    if rule.kind == K.GROUP_MEETING:
                        for group in unit.groups:
                            meeting = self._meeting(unit, rule.kind, day, group=group)
                            self._counts(meeting, max(unit.group_sizes.get(group, 0), 1), unit)
                            self._add(meeting, [], unit)
                        continue
                    meeting = self._meeting(unit, rule.kind, day)
                    attendance: list[tuple[int, str, str]] = []
                    if rule.kind == K.GENERAL_ASSEMBLY:
                        attendance = self._attendance(meeting, unit)
                    elif rule.kind == K.BRANCH_COMMITTEE:
                        self._counts(meeting, 3 + (unit.full >= 20) + (unit.full >= 40), unit)
                    else:
                        self._counts(meeting, max(bisect.bisect_right(unit.joined, day), 1), unit)
                    self._add(meeting, attendance, unit)

    def _committee_meetings(self, unit: _Unit) -> None:
        """党委会 twice a month, 中心组学习 monthly, 党政联席会 every other month (no rule requires them)."""
        rng = self.rng
        for index in range(self.first_month, self.last_month + 1):
            start, end = _month_start(index), _month_end(index)
            plan = [(K.COMMITTEE_MEETING, 9), (K.COMMITTEE_MEETING, 9), (K.CENTRAL_GROUP_STUDY, 13)]
            if index % 2 == 0:
                plan.append((K.JOINT_MEETING, 15))
            for kind, size in plan:
                day = self._day_in(start, end, staff=True)
                if day > self.last_day:
                    continue
                meeting = self._meeting(unit, kind, day)
                meeting.recorder = ""
                self._counts(meeting, size + rng.randint(-2, 2), unit)
                self._add(meeting, [], unit)

    def _showcase(self, unit: _Unit) -> None:
        """The first branch (the demo login zb001's) always has a record returned to fix, so the 退回 flow
        and its to-do are there to see whatever the seed drew: its latest approved record is returned."""
        meeting = (
            Meeting.objects.filter(organization_id=unit.org.pk, status=Meeting.Status.APPROVED)
            .exclude(reviewed_at=None)
            .order_by("-held_at", "-pk")
            .first()
        )
        if meeting is None or any(m.organization_id == unit.org.pk for m in self.returned):
            return
        changes = {"status": Meeting.Status.RETURNED, "return_reason": self.rng.choice(RETURN_REASONS)}
        Meeting.objects.filter(pk=meeting.pk).update(**changes)
        Meeting.history.filter(id=meeting.pk).update(**changes)
        meeting.status, meeting.return_reason = changes["status"], changes["return_reason"]
        self.returned.append(meeting)
        self.counts[str(Meeting.Status.APPROVED)] -= 1
        self.counts[str(Meeting.Status.RETURNED)] += 1

    def _returned_todos(self) -> None:
        """The secretaries' to-dos for records still returned (meeting_return writes them in real life)."""
        todos = []
        for meeting in self.returned:
            owner = self._secretaries.get(meeting.organization_id)
            if owner is None:
                continue
            todos.append(
                Todo(
                    user_id=owner,
                    kind=Todo.Kind.RETURNED,
                    key=todo_key("returned", meeting, meeting.reviewed_at),
                    organization_id=meeting.organization_id,
                    meeting=meeting,
                    text=_("Returned: %(meeting)s — %(reason)s")
                    % {"meeting": meeting.get_kind_display(), "reason": meeting.return_reason[:120]},
                    due_on=timezone.localtime(meeting.reviewed_at).date()
                    + datetime.timedelta(days=settings.MINUTES_FILING_DAYS),
                )
            )
        Todo.objects.bulk_create(todos, ignore_conflicts=True)

    def run(self) -> dict[str, int]:
        rules = list(
            MeetingRule.objects.filter(is_active=True, kind__in=Meeting.BRANCH_KINDS).order_by("kind")
        )
        rules.sort(key=lambda r: Meeting.BRANCH_KINDS.index(r.kind))
        branches, committees = self._units()
        self._secretaries = {
            u.org.pk: u.secretary_user_id for u in [*branches, *committees] if u.secretary_user_id
        }
        with transaction.atomic():
            for unit in branches:
                self._profile(unit, rules)
                self._branch_meetings(unit, rules)
            for unit in committees:
                unit.room = (
                    f"{self.rng.choice(PLACES)}{self.rng.randint(1, 6)}{self.rng.randint(1, 20):02d}会议室"
                )
                self._committee_meetings(unit)
            self._flush()
            if branches:
                self._showcase(branches[0])
            self._returned_todos()
        self.counts["branches"] = len(branches)
        self.counts["behind_drawn"] = sum(1 for u in branches if u.behind)
        return dict(self.counts)


# Field types whose Python value is already what the database driver takes (text is passed through str(),
# so that a TextChoices member reaches the driver as its value: psycopg would write an Enum's name).
_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
}
_TEXT_TYPES = {"CharField", "TextField"}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _meetings_insert(meetings: list[Meeting]) -> None:
    """Insert meetings with one prepared INSERT run for every row (executemany), then read their new ids
    back in insertion order. Meeting.objects.bulk_create compiles every value of every row through the
    ORM (26 rows a statement on SQLite): about two thirds of this module's time at scale 1.

    Reading the ids back as "the ids above the largest before, in order" is sound inside load_demo's
    transaction, where nothing else inserts meetings; the count is checked all the same.
    """
    fields = [f for f in Meeting._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    getters = []
    for f in fields:
        kind = f.get_internal_type()
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            getters.append(lambda m, f=f: ops.adapt_datetimefield_value(f.pre_save(m, add=True)))
        elif kind == "DateTimeField":
            getters.append(lambda m, a=f.attname: ops.adapt_datetimefield_value(getattr(m, a)))
        elif kind in _TEXT_TYPES:
            getters.append(lambda m, a=f.attname: _text(getattr(m, a)))
        elif kind in _PLAIN_TYPES:
            getters.append(operator.attrgetter(f.attname))
        else:  # anything added later that needs converting goes the ORM's way
            getters.append(lambda m, f=f: f.get_db_prep_save(getattr(m, f.attname), connection))
    quote = ops.quote_name
    table, pk = quote(Meeting._meta.db_table), quote(Meeting._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({pk}) FROM {table}")
        before = cursor.fetchone()[0] or 0
        execute_many(
            cursor,
            "INSERT INTO {} ({}) VALUES ({})".format(
                table, ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
            ),
            [tuple(get(m) for get in getters) for m in meetings],
        )
        cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}", [before])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(meetings):
        raise RuntimeError("Meetings were inserted by someone else during load_demo; run it again.")
    for meeting, pk_value in zip(meetings, ids):
        meeting.pk = pk_value
        meeting._state.adding = False


def _history_insert(pks: list[int]) -> None:
    """One history row per meeting, copied by the database (INSERT … SELECT, 500 ids a statement), dated
    at the record's last event and attributed to whoever acted last. bulk_history_create builds a model
    instance per row and compiles multi-row INSERTs through the ORM: several times slower here."""
    history = Meeting.history.model
    quote = connection.ops.quote_name
    tracked = list(Meeting._meta.concrete_fields)
    columns = [history._meta.get_field(f.name).column for f in tracked]
    columns += [
        history._meta.get_field(name).column
        for name in ("history_date", "history_user", "history_change_reason", "history_type")
    ]
    reviewed_last = "{r} IS NOT NULL AND {r} >= {s}".format(r=quote("reviewed_at"), s=quote("submitted_at"))
    head = (
        "INSERT INTO {history} ({columns}) SELECT {fields}, "
        "CASE WHEN {reviewed_last} THEN {reviewed_at} ELSE COALESCE({submitted_at}, {created_at}) END, "
        "CASE WHEN {reviewed_last} THEN {reviewed_by} ELSE {created_by} END, %s, %s FROM {table} WHERE {pk} IN "
    ).format(
        history=quote(history._meta.db_table),
        columns=", ".join(map(quote, columns)),
        fields=", ".join(quote(f.column) for f in tracked),
        reviewed_last=reviewed_last,
        reviewed_at=quote("reviewed_at"),
        submitted_at=quote("submitted_at"),
        created_at=quote("created_at"),
        reviewed_by=quote("reviewed_by_id"),
        created_by=quote("created_by_id"),
        table=quote(Meeting._meta.db_table),
        pk=quote(Meeting._meta.pk.column),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            cursor.execute(head + "({})".format(", ".join(["%s"] * len(chunk))), ["load_demo", "+", *chunk])


def demo_random(seed: int) -> random.Random:
    """The meetings' own random numbers for a load_demo seed (independent of how many the tree used)."""
    return random.Random(f"{seed}:meetings")


def meetings_demo_create(
    *, today: datetime.date, rng: random.Random, scope: Organization | None = None
) -> dict[str, int]:
    """A year of meetings (the 12 months up to ``today``) for every active branch and secondary committee
    under ``scope`` (everything if None), following the ``MeetingRule`` rows. Returns counts by status."""
    return MeetingDemo(today=today, rng=rng, scope=scope).run()


def meetings_demo_clear() -> None:
    """Delete every meeting, its attendance, attachments and history, and every to-do."""
    attachments_remove(Attachment.objects.all())  # the files go on commit
    Attendance.objects.all().delete()
    Todo.objects.all().delete()
    # Posts summarising a meeting keep their text (the FK is SET NULL; a raw DELETE would not do that).
    from disclosure.models import Post

    Post.objects.exclude(source_meeting=None).update(source_meeting=None)
    # The rows that point at meetings: QR sign-ins and their corrections go with them (CASCADE, which a raw
    # DELETE does not do); a registered decision keeps its text without its minutes (SET NULL).
    from disclosure.models import AttendanceCorrection, Decision, SignIn

    AttendanceCorrection.objects.all().delete()
    SignIn.objects.all().delete()
    Decision.objects.exclude(meeting=None).update(meeting=None)
    # Raw DELETEs: Meeting.objects.delete() would write a "deleted" history row per meeting first.
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{Meeting.history.model._meta.db_table}"')
        cursor.execute(f'DELETE FROM "{Meeting._meta.db_table}"')


def _load(builder: DemoBuilder) -> str:
    """The load_demo step: the meetings, then the daily reminders once — the minutes' and the member
    lifecycle's (whose demo rows are already written: members comes first) —, so the demo's secretaries and
    reviewers open a to-do list (from then on the daily ``advance_cycles`` keeps it current)."""
    from disclosure.services import lifecycle_todos_advance, reminders_advance

    counts = meetings_demo_create(today=builder.today, rng=demo_random(builder.seed))
    todos = reminders_advance(today=builder.today)
    affairs = lifecycle_todos_advance(today=builder.today)
    return (
        f"{counts.get('meetings', 0)} meetings ({counts.get('approved', 0)} approved, "
        f"{counts.get('submitted', 0)} awaiting review, {counts.get('returned', 0)} returned, "
        f"{counts.get('draft', 0)} drafts; {counts.get('late', 0)} filed late), "
        f"{counts.get('attendance', 0)} attendance rows, {Todo.objects.open().count()} open to-dos "
        f"({todos['created']} from the reminders, {affairs['created']} member affairs)"
    )


register_demo_step(DemoStep(name="meetings", load=_load, clear=meetings_demo_clear))


# QR sign-in (issue 20, disclosure/demo_sign_in.py): campus numbers, and a meeting this hour with sign-ins.
def _load_sign_ins(builder: DemoBuilder) -> str:
    from disclosure.demo_sign_in import load

    return load(builder)


def _clear_sign_ins() -> None:
    from disclosure.demo_sign_in import clear

    clear()


register_demo_step(DemoStep(name="sign_ins", load=_load_sign_ins, clear=_clear_sign_ins))


# The public pages' posts (disclosure/demo_posts.py), after the meetings (they summarise some of them).
def _load_posts(builder: DemoBuilder) -> str:
    from disclosure.demo_posts import load

    return load(builder)


def _clear_posts() -> None:
    from disclosure.demo_posts import posts_demo_clear

    posts_demo_clear()


register_demo_step(DemoStep(name="posts", load=_load_posts, clear=_clear_posts))


# --- a province's copied universities (members/demo_copy.py): the ids a to-do's key names ---------------------------
# The first numbers of each kind of key, and the model each names (None: a row every university shares, such as a
# programme's guide action). A key that is not listed keeps its text, and the copy's to-do is then never matched by
# the daily step: so every kind the demo writes is here.
_TODO_KEY_IDS: dict[str, list[str | None]] = {
    "review": ["disclosure.Meeting"],
    "returned": ["disclosure.Meeting"],
    "missing": ["branches.Organization"],
    "guide": [None, "branches.Organization"],
    "assessment": ["assessments.Assessment"],
    "evaluation": ["assessments.MemberEvaluation"],
    "evaluation-grade": ["assessments.MemberEvaluation"],
    "lifecycle:development": ["members.DevelopmentCase"],
    "lifecycle:transfer": ["members.Transfer"],
    "lifecycle:dues": ["members.Member"],
    "lifecycle:care": ["members.CareOccasion"],
    "lifecycle:term": ["branches.Organization"],
    "lifecycle:exemption": ["members.DuesExemption"],
}


def todo_copied(row: dict, shift) -> None:
    """A copied to-do's key and link name the copy's rows (the link's ids are those of the key)."""
    parts = row["key"].split(":")
    head = 2 if parts[0] == "lifecycle" else 1
    labels = _TODO_KEY_IDS.get(":".join(parts[:head]))
    if labels is None:
        raise ValueError(f"a demo to-do key the province copy does not know: {row['key']}")
    link = row["link"]
    for offset, label in enumerate(labels):
        if label is not None:
            old = parts[head + offset]
            parts[head + offset] = new = str(shift(label, int(old)))
            link = link.replace(f"/{old}/", f"/{new}/")
    row["key"], row["link"] = ":".join(parts), link


def _register_copy_rewrite() -> None:
    from members.demo_copy import register_copy_rewrite

    register_copy_rewrite(Todo, todo_copied)


_register_copy_rewrite()
