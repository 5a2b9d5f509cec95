"""The demo university (DESIGN §1 figures) and, with ``scale`` > 1, a province of such universities.

Everything is drawn from one seeded ``random.Random`` so a seed always gives the same data. Rows are
written with bulk inserts (tree paths computed here, not node by node) and history rows are written
explicitly, because bulk inserts skip ``save()``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.module_loading import module_has_submodule

from branches.dates import add_years
from branches.models import Organization, Role
from branches.services import roles_assign_bulk
from members.models import Member
from members.resources import ID_CHECK, ID_WEIGHTS

DEMO_PASSWORD = "dangjian2026"

# DESIGN §1, one university.
SECONDARY_TOTAL = 21
TEACHING_COMMITTEES = (
    "马克思主义学院",
    "文学院",
    "外国语学院",
    "经济与管理学院",
    "法学院",
    "数学与统计学院",
    "物理与电子工程学院",
    "化学与化工学院",
    "生命科学学院",
    "计算机科学与技术学院",
    "机械工程学院",
    "土木与建筑学院",
    "材料科学与工程学院",
    "艺术学院",
    "体育学院",
    "教育科学学院",
)
# (name, kind, what its branches are)
NON_TEACHING = (
    ("机关", Organization.Kind.COMMITTEE, "admin_staff"),
    ("后勤保障处", Organization.Kind.GENERAL_BRANCH, "admin_staff"),
    ("图书与信息中心", Organization.Kind.GENERAL_BRANCH, "admin_staff"),
    ("资产经营有限公司", Organization.Kind.GENERAL_BRANCH, "admin_staff"),
    ("离退休工作处", Organization.Kind.COMMITTEE, "retiree"),
)
BRANCHES = {"teacher": 100, "admin_staff": 36, "student": 141, "retiree": 16}  # 136 staff, 293 in all
PARTY_MEMBERS = {"staff": 1903, "student": 3539, "retiree": 399}  # 5,841 in all
# Applicants, activists and development targets per branch (low, high), by branch category.
PIPELINE = {
    "teacher": {"applicant": (0, 2), "activist": (0, 1), "candidate": (0, 1)},
    "admin_staff": {"applicant": (0, 2), "activist": (0, 1), "candidate": (0, 1)},
    "student": {"applicant": (6, 16), "activist": (3, 8), "candidate": (1, 3)},
    "retiree": {"applicant": (0, 0), "activist": (0, 0), "candidate": (0, 0)},
}
PROBATIONARY_SHARE = {"teacher": 0.04, "admin_staff": 0.05, "student": 0.33, "retiree": 0.0}
FEMALE_SHARE = {"teacher": 0.46, "admin_staff": 0.52, "student": 0.56, "retiree": 0.38}
AGE_RANGE = {"teacher": (26, 62), "admin_staff": (24, 60), "student": (18, 27), "retiree": (61, 92)}

UNIVERSITY_NAMES = (
    "江城大学",
    "临江理工大学",
    "南湖师范大学",
    "东岳农业大学",
    "西陵医科大学",
    "北川工业大学",
    "青山财经大学",
    "白沙交通大学",
    "云梦科技大学",
    "楚天政法大学",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉宇浩凯晨欣怡佳琪梓涵子轩雨萱博文思远"
    "俊豪嘉怡诗涵婷雪慧建国志强海燕春梅晓东振华文静晓燕家乐佳慧天佑一鸣若曦雅婷书瑶锦程泽宇昊然"
)
ETHNICITIES = ("汉族",) * 46 + ("回族", "满族", "壮族", "土家族", "苗族", "蒙古族", "维吾尔族", "藏族")
REGIONS = ("420102", "420106", "420111", "430104", "410105", "360102", "340104", "500103", "510107", "320102")
ORDINALS = "一二三四五六七八九十"


def university_name(number: int) -> str:
    base = UNIVERSITY_NAMES[(number - 1) % len(UNIVERSITY_NAMES)]
    return base if number <= len(UNIVERSITY_NAMES) else f"{base[:-2]}第{number}大学"


# The universities drawn by the builder at any scale: the showcase and a plain one, which the rest copy.
DRAWN_UNIVERSITIES = 2


def ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (enough for branch and group names)."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else ORDINALS[tens - 1]) + "十" + (ORDINALS[ones - 1] if ones else "")


def split(total: int, parts: int, rng: random.Random, *, minimum: int) -> list[int]:
    """``parts`` integers of at least ``minimum`` that sum exactly to ``total``, varying around the mean."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    spare = total - minimum * parts
    raw = [spare * w / sum(weights) for w in weights]
    counts = [minimum + int(r) for r in raw]
    # Hand out what rounding dropped to the largest remainders, so the sum is exact.
    order = sorted(range(parts), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class Node:
    kind: str
    name: str
    code: str
    short_name: str = ""
    category: str = ""
    unit_type: str = ""
    founded_on: datetime.date | None = None
    term_started_on: datetime.date | None = None
    term_years: int = 3
    children: list[Node] = field(default_factory=list)
    obj: Organization | None = None


@dataclass
class Login:
    username: str
    label: str
    first_name: str = ""
    is_superuser: bool = False


class DemoBuilder:
    def __init__(self, *, seed: int, scale: int, today: datetime.date):
        self.seed = seed  # higher apps' demo steps derive their own random numbers from it
        self.rng = random.Random(seed)
        self.scale = scale
        self.today = today
        self.ids: set[str] = set()
        self.members: list[Member] = []
        self.member_group: list[tuple[int, Node]] = []  # (member index, group node)
        self.group_parents: list[tuple[Node, list[Node]]] = []
        self.logins: list[
            tuple[Login, str | None, Node | None, int | None]
        ] = []  # login, role, node, member index
        self.password_hash = make_password(DEMO_PASSWORD)

    # --- people ------------------------------------------------------------------------------------
    def person_name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def id_number(self, birth: datetime.date, female: bool) -> str:
        region = self.rng.choice(REGIONS)
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (0 if female else 1)
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            check = ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]
            number = body + check
            if number not in self.ids:
                self.ids.add(number)
                return number

    def person(self, *, branch: Node, category: str, stage: str) -> Member:
        rng = self.rng
        female = rng.random() < FEMALE_SHARE[category]
        low, high = AGE_RANGE[category]
        if stage in (Member.Stage.APPLICANT, Member.Stage.ACTIVIST, Member.Stage.CANDIDATE):
            high = min(high, low + 12)
        age_days = rng.randint(low * 365 + 30, high * 365 + 300)
        birth = self.today - datetime.timedelta(days=age_days)
        age = age_days // 365
        member = Member(
            name=self.person_name(),
            gender="F" if female else "M",
            ethnicity=rng.choice(ETHNICITIES),
            birth_date=birth,
            id_number=self.id_number(birth, female),
            phone="1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9)),
            category=category,
            stage=stage,
            branch=branch.obj,
        )
        years_since_18 = max(age - 18, 0)
        if stage == Member.Stage.FULL:
            joined = self.today - datetime.timedelta(
                days=rng.randint(400, max(401, years_since_18 * 365 - 200))
            )
            member.joined_on = joined
            member.full_on = add_years(joined, 1)
            member.applied_on = joined - datetime.timedelta(days=rng.randint(420, 900))
        elif stage == Member.Stage.PROBATIONARY:
            member.joined_on = self.today - datetime.timedelta(days=rng.randint(20, 350))
            member.applied_on = member.joined_on - datetime.timedelta(days=rng.randint(420, 800))
        else:
            member.applied_on = self.today - datetime.timedelta(days=rng.randint(40, 900))
            if stage in (Member.Stage.ACTIVIST, Member.Stage.CANDIDATE):
                member.activist_on = member.applied_on + datetime.timedelta(days=rng.randint(30, 60))
            if stage == Member.Stage.CANDIDATE:
                member.candidate_on = member.activist_on + datetime.timedelta(days=rng.randint(370, 420))
                if member.candidate_on > self.today:
                    member.candidate_on = self.today
        if member.applied_on and member.applied_on < add_years(birth, 18):
            member.applied_on = add_years(birth, 18)
        if stage in Member.PARTY_STAGES:
            # The dates of their way in, derived without a random draw (the seed's other data stays the same):
            # activist five weeks after applying, development target a year and two weeks later.
            member.activist_on = member.applied_on + datetime.timedelta(days=35)
            member.candidate_on = min(member.activist_on + datetime.timedelta(days=380), member.joined_on)
            member.activist_on = min(member.activist_on, member.candidate_on)
        self._statistics_fields(member)
        return member

    @staticmethod
    def _statistics_fields(member: Member) -> None:
        """学历, 工作岗位 and 在读层次 for the 党内统计 tables (issue 21), drawn from a generator of the person's
        own (seeded by the ID number), so the main draw, and with it the rest of the demo, stays as it was.
        About one record in twelve leaves a field empty, so 信息完整度 has something to show."""
        rng = random.Random(member.id_number)
        category = member.category
        if category == Organization.Category.STUDENT:
            member.student_level = rng.choices(["undergraduate", "master", "doctoral"], [55, 35, 10])[0]
            member.education = {"undergraduate": "secondary", "master": "bachelor", "doctoral": "master"}[
                member.student_level
            ]
            member.occupation = "student"
        elif category == Organization.Category.RETIREE:
            member.education = rng.choices(["secondary", "college", "bachelor", "master"], [35, 25, 30, 10])[
                0
            ]
            member.occupation = "retired"
        else:
            teacher = category == Organization.Category.TEACHER
            member.education = rng.choices(
                ["doctorate", "master", "bachelor"], [60, 30, 10] if teacher else [10, 45, 45]
            )[0]
            member.occupation = (
                "professional" if teacher else rng.choice(["management", "management", "worker"])
            )
        for name in ("education", "occupation", "student_level"):
            if rng.random() < 0.08:
                setattr(member, name, "")

    # --- tree ----------------------------------------------------------------------------------------
    def university(self, number: int) -> Node:
        rng = self.rng
        prefix = f"U{number:03d}"
        uni_name = university_name(number)
        uni = Node(
            Organization.Kind.UNIVERSITY,
            f"中共{uni_name}委员会",
            prefix,
            short_name=f"{uni_name}党委",
            founded_on=datetime.date(1952, 10, 1),
            term_started_on=self._term_start(5),
            term_years=5,
        )
        teaching = [
            Node(
                Organization.Kind.COMMITTEE,
                f"中共{uni_name}{n}委员会",
                f"{prefix}-C{i + 1:02d}",
                short_name=f"{n}党委",
                unit_type=Organization.UnitType.TEACHING,
                founded_on=datetime.date(rng.randint(1985, 2012), 9, 1),
                term_started_on=self._term_start(5),
                term_years=5,
            )
            for i, n in enumerate(TEACHING_COMMITTEES)
        ]
        others = []
        for j, (n, kind, _cat) in enumerate(NON_TEACHING):
            suffix = "委员会" if kind == Organization.Kind.COMMITTEE else "总支部委员会"
            short = "党委" if kind == Organization.Kind.COMMITTEE else "党总支"
            years = 5 if kind == Organization.Kind.COMMITTEE else 3
            others.append(
                Node(
                    kind,
                    f"中共{uni_name}{n}{suffix}",
                    f"{prefix}-C{len(teaching) + j + 1:02d}",
                    short_name=f"{n}{short}",
                    unit_type=Organization.UnitType.NON_TEACHING,
                    founded_on=datetime.date(rng.randint(1985, 2012), 9, 1),
                    term_started_on=self._term_start(years),
                    term_years=years,
                )
            )
        uni.children = teaching + others
        assert len(uni.children) == SECONDARY_TOTAL

        teacher = split(BRANCHES["teacher"], len(teaching), rng, minimum=4)
        student = split(BRANCHES["student"], len(teaching), rng, minimum=6)
        admin_targets = [n for n, (_n, _k, cat) in zip(others, NON_TEACHING) if cat == "admin_staff"]
        admin = [18] + split(BRANCHES["admin_staff"] - 18, len(admin_targets) - 1, rng, minimum=4)
        retiree_parent = others[-1]
        for committee, n_teacher, n_student in zip(teaching, teacher, student):
            short = committee.short_name.removesuffix("党委")
            for k in range(n_teacher):
                self._branch(committee, f"{short}教工第{ordinal(k + 1)}党支部", "teacher")
            for k in range(n_student):
                level = "研究生" if k >= n_student - max(1, n_student // 4) else "本科生"
                self._branch(committee, f"{short}{level}第{ordinal(k + 1)}党支部", "student")
        for parent, n_admin in zip(admin_targets, admin):
            short = parent.short_name.removesuffix("党委").removesuffix("党总支")
            for k in range(n_admin):
                self._branch(parent, f"{short}第{ordinal(k + 1)}党支部", "admin_staff")
        for k in range(BRANCHES["retiree"]):
            self._branch(retiree_parent, f"离退休第{ordinal(k + 1)}党支部", "retiree")
        return uni

    @property
    def drawn(self) -> int:
        """How many universities are drawn; the rest of a province is copied from the second (demo_copy.py)."""
        return min(self.scale, DRAWN_UNIVERSITIES)

    def _term_start(self, years: int) -> datetime.date:
        # Mostly mid-term; about one in twelve is overdue for renewal, as in real life.
        back = self.rng.randint(0, years * 12 + (6 if self.rng.random() < 0.08 else -1))
        first = self.today.replace(day=1)
        month_index = first.year * 12 + first.month - 1 - back
        return datetime.date(month_index // 12, month_index % 12 + 1, 1)

    def _branch(self, parent: Node, name: str, category: str) -> None:
        index = len(parent.children) + 1
        node = Node(
            Organization.Kind.BRANCH,
            name,
            f"{parent.code}-B{index:03d}",
            category=category,
            founded_on=datetime.date(self.rng.randint(1995, 2022), self.rng.randint(1, 12), 1),
            term_started_on=self._term_start(3),
            term_years=3,
        )
        parent.children.append(node)

    # --- writing ---------------------------------------------------------------------------------------
    def build(self) -> dict:
        roots: list[Node]
        if self.scale == 1:
            roots = [self.university(1)]
        else:
            province = Node(
                Organization.Kind.PROVINCE,
                "中共示范省委教育工作委员会",
                "P01",
                short_name="省委教育工委",
                term_years=5,
            )
            province.children = [self.university(i + 1) for i in range(self.drawn)]
            roots = [province]
            # The province's own officer (省委教育工委组织处) sees every university and compares them.
            self.logins.append((Login("swzzc", "省委教育工委组织处"), Role.Kind.OFFICER, province, None))
        with transaction.atomic():
            self._write_tree(roots)
            for root in roots:
                for uni in [root] if root.kind == Organization.Kind.UNIVERSITY else root.children:
                    self._people(uni)
            self._write_people()
        return {"roots": [r.obj.pk for r in roots]}

    def _write_tree(self, roots: list[Node]) -> None:
        """Materialized paths computed here: one bulk insert per level instead of one query per node."""
        level = [(None, i + 1, r) for i, r in enumerate(roots)]
        depth = 1
        while level:
            objs = []
            for parent_path, position, node in level:
                path = Organization._get_path(parent_path, depth, position)
                node.obj = Organization(
                    path=path,
                    depth=depth,
                    numchild=len(node.children),
                    kind=node.kind,
                    name=node.name,
                    short_name=node.short_name,
                    code=node.code,
                    category=node.category,
                    unit_type=node.unit_type,
                    founded_on=node.founded_on,
                    term_started_on=node.term_started_on,
                    term_years=node.term_years,
                )
                objs.append(node.obj)
            Organization.objects.bulk_create(objs, batch_size=2000)
            Organization.history.bulk_history_create(objs, default_change_reason="load_demo")
            level = [
                (node.obj.path, i + 1, child)
                for _p, _pos, node in level
                for i, child in enumerate(node.children)
            ]
            depth += 1

    def _people(self, uni: Node) -> None:
        rng = self.rng
        prefix = "" if uni.code == "U001" else f"{uni.code.lower()}_"
        branches = {c: [] for c in BRANCHES}
        for committee in uni.children:
            for branch in committee.children:
                branches[branch.category].append(branch)
        staff = branches["teacher"] + branches["admin_staff"]
        sizes = dict(zip(map(id, staff), split(PARTY_MEMBERS["staff"], len(staff), rng, minimum=5)))
        sizes |= dict(
            zip(
                map(id, branches["student"]),
                split(PARTY_MEMBERS["student"], len(branches["student"]), rng, minimum=8),
            )
        )
        sizes |= dict(
            zip(
                map(id, branches["retiree"]),
                split(PARTY_MEMBERS["retiree"], len(branches["retiree"]), rng, minimum=8),
            )
        )
        self.logins.append((Login(f"{prefix}zzb", f"{uni.short_name}组织部"), Role.Kind.OFFICER, uni, None))
        first_staff_member: dict[int, int] = {}
        branch_number = 0
        for c_index, committee in enumerate(uni.children, start=1):
            for branch in committee.children:
                branch_number += 1
                category = branch.category
                size = sizes[id(branch)]
                start = len(self.members)
                probationary = round(size * PROBATIONARY_SHARE[category] * rng.uniform(0.7, 1.3))
                probationary = min(probationary, size - 3)  # every branch keeps at least 3 full members
                for k in range(size):
                    stage = Member.Stage.PROBATIONARY if k >= size - probationary else Member.Stage.FULL
                    self.members.append(self.person(branch=branch, category=category, stage=stage))
                for stage, (low, high) in PIPELINE[category].items():
                    for _ in range(rng.randint(low, high)):
                        self.members.append(self.person(branch=branch, category=category, stage=stage))
                # Party groups for larger branches, members dealt round-robin.
                groups = min(size // 10, 4) if size >= 15 else 0
                group_nodes = [
                    Node(
                        Organization.Kind.GROUP,
                        f"第{ordinal(g + 1)}党小组",
                        f"{branch.code}-G{g + 1}",
                        category=category,
                    )
                    for g in range(groups)
                ]
                if group_nodes:
                    self.group_parents.append((branch, group_nodes))
                for k in range(size):
                    if group_nodes:
                        self.member_group.append((start + k, group_nodes[k % len(group_nodes)]))
                self.logins.append(
                    (
                        Login(f"{prefix}zb{branch_number:03d}", f"{branch.name}书记"),
                        Role.Kind.SECRETARY,
                        branch,
                        start,
                    )
                )
                self.logins.append(
                    (Login(f"{prefix}dy{branch_number:03d}", f"{branch.name}党员"), None, None, start + 1)
                )
                if category != "student":
                    first_staff_member.setdefault(c_index, start + 2)
            if c_index in first_staff_member:
                self.logins.append(
                    (
                        Login(f"{prefix}dw{c_index:02d}", f"{committee.short_name}书记"),
                        Role.Kind.SECRETARY,
                        committee,
                        first_staff_member[c_index],
                    )
                )
            self.logins.append(
                (
                    Login(f"{prefix}zz{c_index:02d}", f"{committee.short_name}组织委员"),
                    Role.Kind.ORGANIZER,
                    committee,
                    None,
                )
            )

    def _write_people(self) -> None:
        # Party groups are written now that branches have paths: one more tree level.
        group_objs = []
        branch_updates = []
        for branch, groups in self.group_parents:
            parent = branch.obj
            for position, group in enumerate(groups, start=1):
                group.obj = Organization(
                    path=Organization._get_path(parent.path, parent.depth + 1, position),
                    depth=parent.depth + 1,
                    numchild=0,
                    kind=group.kind,
                    name=group.name,
                    code=group.code,
                    category=group.category,
                    term_years=3,
                )
                group_objs.append(group.obj)
            parent.numchild = len(groups)
            branch_updates.append(parent)
        Organization.objects.bulk_create(group_objs, batch_size=2000)
        Organization.history.bulk_history_create(group_objs, default_change_reason="load_demo")
        Organization.objects.bulk_update(branch_updates, ["numchild"], batch_size=2000)
        for m_index, group in self.member_group:
            self.members[m_index].party_group = group.obj

        User = get_user_model()
        users = []
        for login, _role, _node, _member in self.logins:
            users.append(
                User(
                    username=login.username,
                    first_name=login.label[:150],
                    password=self.password_hash,
                    is_active=True,
                )
            )
        User.objects.bulk_create(users, batch_size=2000)
        for (login, _role, _node, member_index), user in zip(self.logins, users):
            if member_index is not None:
                self.members[member_index].user = user
                user.first_name = self.members[member_index].name
        User.objects.bulk_update(users, ["first_name"], batch_size=2000)

        # One prepared INSERT for every member, and their history copied by the database (INSERT … SELECT):
        # not compiled and built as instances by the ORM (issue 17.3).
        from members.demo_lifecycle import _history_copy, _insert_objects

        _insert_objects(Member, self.members)
        _history_copy(Member, from_pk=self.members[0].pk if self.members else None)

        roles_assign_bulk(
            [
                Role(
                    user=user,
                    organization=node.obj,
                    kind=role_kind,
                    started_on=node.obj.term_started_on or self.today,
                )
                for (_login, role_kind, node, _m), user in zip(self.logins, users)
                if role_kind is not None
            ],
            reason="load_demo",
        )
        self.users = users


def demo_logins_summary(scale: int = 1) -> list[tuple[str, str]]:
    """The logins worth printing (username, what they show). All share DEMO_PASSWORD except admin."""
    return [
        ("admin", "系统管理员（超级用户）"),
        ("zzb", "校党委组织部：全校概况、逐级下钻"),
        ("dw10", "计算机科学与技术学院党委书记：本学院党委"),
        ("zz10", "计算机科学与技术学院党委组织委员：本学院党委"),
        ("zb001", "马克思主义学院教工第一党支部书记：本支部花名册"),
        ("dy001", "普通党员：本人档案"),
    ] + (
        [
            ("swzzc", "省委教育工委组织处：全省各高校对比"),
            ("u002_zzb", "第二所大学的组织部：只看本校"),
        ]
        if scale > 1
        else []
    )


# --- what higher apps add to the demo --------------------------------------------------------------------
# members cannot import disclosure, assessments or projects (DESIGN §3), so they bring their own demo data:
# each app's ``demo`` module registers a step when imported, and load_demo runs the steps after the people.


@dataclass(frozen=True)
class DemoStep:
    """``load(builder)`` adds an app's demo rows once the tree and the people exist and returns a line for
    the command's report; ``clear()`` deletes them before ``--replace`` deletes the organizations."""

    name: str
    load: Callable[[DemoBuilder], str]
    clear: Callable[[], None]
    # The step's queries read much of what the earlier steps wrote (a report over the whole university): on
    # PostgreSQL the planner's statistics are gathered first (``planner_statistics``).
    analyze_first: bool = False


def planner_statistics() -> None:
    """PostgreSQL's ANALYZE of every table, inside the load's transaction. Autovacuum never sees rows not yet
    committed, so without it the planner takes the demo's tables for empty: the 民主评议 statistics table
    ran a per-member nested loop over every evaluation (35 s at scale 1, 1 s once analyzed). ~2 s."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


_STEPS: dict[str, DemoStep] = {}


def register_demo_step(step: DemoStep) -> DemoStep:
    _STEPS[step.name] = step
    return step


def demo_steps() -> list[DemoStep]:
    """The registered steps, in INSTALLED_APPS order (a higher app's data may build on a lower one's).

    Imports the ``demo`` module of every project app (not third-party ones) so that it registers itself.
    """
    root = Path(settings.BASE_DIR).resolve()
    order = []
    for config in apps.get_app_configs():
        if Path(config.path).resolve().is_relative_to(root) and module_has_submodule(config.module, "demo"):
            import_module(f"{config.name}.demo")
            order.append(f"{config.name}.demo")
    rank = {module: i for i, module in enumerate(order)}
    return sorted(_STEPS.values(), key=lambda step: rank.get(step.load.__module__, len(rank)))


# --- members' own lifecycle data (issue 8), a step like the higher apps' ---------------------------------------
def _load_lifecycle(builder: DemoBuilder) -> str:
    from members.demo_lifecycle import load

    return load(builder)


def _clear_lifecycle() -> None:
    from members.demo_lifecycle import clear

    clear()


register_demo_step(DemoStep(name="lifecycle", load=_load_lifecycle, clear=_clear_lifecycle))


# --- 党内统计 (issue 21): the default layouts, and last year's tables of each university, computed ------------------
def _load_statistics(builder: DemoBuilder) -> str:
    from members.models import SheetLayout, StatReport, StatTable
    from members.services.statistics import stat_report_compute
    from members.stat_defaults import seed

    seed(StatTable, SheetLayout)  # a --replace run after the 组织部 deleted one brings it back
    as_of = datetime.date(builder.today.year - 1, 12, 31)
    count = 0
    for university in Organization.objects.filter(kind=Organization.Kind.UNIVERSITY)[:3]:
        report, _created = StatReport.objects.get_or_create(organization=university, as_of=as_of)
        stat_report_compute(report_id=report.pk)
        count += 1
    return f"statistics: {count} report(s) as of {as_of.isoformat()}"


def _clear_statistics() -> None:
    from members.models import StatReport

    StatReport.objects.all().delete()


register_demo_step(DemoStep(name="statistics", load=_load_statistics, clear=_clear_statistics))

import members.demo_committees  # noqa: E402, F401  (issue 21.1: the units' committees, a step after the apps' demo modules)
