"""Demo posts for load_demo: about 1,300 over the last year, unevenly (some units very active, a sixth
silent), about a quarter 理论学习 and two fifths 推进工作, some for members of the university or restricted,
a few waiting for the confidentiality check (two committees require it), and 支部生活 summaries of some
approved minutes. Bulk inserts with one history row per post; registered from ``disclosure.demo``.
"""

from __future__ import annotations

import datetime
import random

from django.db import connection
from django.utils import timezone

from branches.attachments import attachments_remove
from branches.bulk import execute_many
from branches.models import Organization, Role
from disclosure.models import Meeting, Post, PostAttachment, PostCategory, PublishingRule
from disclosure.search import search_tokens
from disclosure.services.posts import meeting_summary_text
from members.demo import DemoBuilder

POSTS_PER_UNIT = 3.8  # average over the active units, before the summaries
SILENT_SHARE, ACTIVE_SHARE = 0.17, 0.18
CATEGORY_WEIGHTS = {"theory": 25, "work": 40, "activity": 15, "plan": 8, "notice": 7, "honour": 5}
SECTIONS = {
    "theory": ("news", "branch_life"),
    "work": ("news", "news", "notices"),
    "activity": ("branch_life",),
    "plan": ("notices",),
    "notice": ("notices",),
    "honour": ("showcase", "news"),
}
TITLES = {
    "theory": (
        "{u}开展党的创新理论专题学习",
        "{u}组织学习《中国共产党章程》",
        "{u}举办读书分享会：学思践悟新思想",
        "{u}开展党纪学习教育专题研讨",
        "{u}学习全国教育大会精神",
        "{u}召开理论学习中心组扩大学习会",
    ),
    "work": (
        "{u}推进“三会一课”规范化建设",
        "{u}部署年度党建工作要点",
        "{u}推进发展党员工作",
        "{u}落实“双带头人”培育工程",
        "{u}推进党建与业务深度融合",
        "{u}开展党员志愿服务",
        "{u}推进基层党组织标准化建设",
        "{u}召开党建工作推进会",
    ),
    "activity": (
        "{u}开展主题党日活动",
        "{u}赴红色教育基地参观学习",
        "{u}走访慰问老党员",
        "{u}开展“七一”系列活动",
    ),
    "plan": ("{u}年度党建工作计划", "{u}主题教育实施方案", "{u}半年工作总结报告"),
    "notice": ("关于{u}召开支部党员大会的通知", "关于{u}开展党费收缴工作的通知", "{u}发展对象公示"),
    "honour": ("{u}获评“先进基层党组织”", "{u}特色阵地建设成果展示", "{u}优秀共产党员事迹"),
}
BODIES = (
    "会议强调，要坚持把党的政治建设摆在首位，推动基层党建工作与立德树人中心工作深度融合。",
    "全体党员结合岗位实际交流学习体会，大家表示要以实际行动践行初心使命。",
    "支部书记对下一阶段工作作出部署，要求各党小组抓好落实，按时完成各项任务。",
    "活动进一步增强了党员的责任感和使命感，营造了比学赶超的良好氛围。",
    "通过学习研讨，党员同志们深化了对党的创新理论的理解，坚定了理想信念。",
)
SUMMARY_SHARE = 0.03  # approved 三会一课 minutes published to 支部生活 as a summary


def _when(rng: random.Random, today: datetime.date, recent: bool) -> datetime.datetime:
    days = rng.randint(0, 45) if recent else int(rng.triangular(0, 364, 60))
    day = today - datetime.timedelta(days=days)
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(8, 20), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def posts_demo_create(*, today: datetime.date, rng: random.Random) -> dict[str, int]:
    categories = {c.code: c for c in PostCategory.objects.all()}
    units = list(
        Organization.objects.filter(
            is_active=True, kind__in=[*Organization.SECONDARY_KINDS, Organization.Kind.BRANCH]
        ).order_by("path")
    )
    authors = dict(
        Role.objects.current()
        .filter(kind=Role.Kind.SECRETARY, organization__in=units)
        .values_list("organization_id", "user_id")
    )
    committees = [u for u in units if u.kind in Organization.SECONDARY_KINDS]
    checked = {c.path for c in committees[1:3]}  # two committees require the 保密审查
    PublishingRule.objects.bulk_create(
        [PublishingRule(organization=c, check_required=True) for c in committees[1:3]], ignore_conflicts=True
    )
    weights_codes = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    posts: list[Post] = []
    publishing: set[int] = set()  # units that publish at all (the silent ones get no summaries either)
    first = True
    for unit in units:
        draw = rng.random()
        if draw < SILENT_SHARE and not first:
            continue  # a silent unit: nothing published this year
        active = draw > 1 - ACTIVE_SHARE or first
        first = False
        publishing.add(unit.pk)
        mean = (
            POSTS_PER_UNIT * (3.2 if active else 0.75) * (1.5 if unit.kind != Organization.Kind.BRANCH else 1)
        )
        count = max(1, int(rng.gauss(mean, mean / 3)))
        recent_only = rng.random() < 0.1  # woke up lately
        name = unit.short_name or unit.name
        in_check = any(unit.path.startswith(p) for p in checked)
        for _i in range(count):
            code = rng.choices(weights_codes, weights)[0]
            when = _when(rng, today, recent_only)
            visibility = rng.choices(["public", "university", "restricted"], [86, 10, 4])[0]
            status = "published"
            if in_check and (today - timezone.localtime(when).date()).days < 14:
                status = "pending"
            elif rng.random() < 0.01:
                status = "draft"
            title = rng.choice(TITLES[code]).format(u=name)
            body = "".join(f"<p>{rng.choice(BODIES)}</p>" for _ in range(rng.randint(2, 4)))
            posts.append(
                Post(
                    organization=unit,
                    section=rng.choice(SECTIONS[code]),
                    category=categories[code],
                    title=title,
                    body=body,
                    visibility=visibility,
                    status=status,
                    published_at=when if status == "published" else None,
                    author_id=authors.get(unit.pk),
                    search_tokens=search_tokens(title, body),
                )
            )
            posts[-1].demo_when = when
    summaries = 0
    meetings = list(
        Meeting.objects.approved()
        .filter(
            organization_id__in=publishing,
            kind__in=[Meeting.Kind.GENERAL_ASSEMBLY, Meeting.Kind.PARTY_LECTURE, Meeting.Kind.THEME_DAY],
            reviewed_at__isnull=False,
        )
        .select_related("organization")
        .order_by("pk")
    )
    for meeting in rng.sample(meetings, int(len(meetings) * SUMMARY_SHARE)) if meetings else []:
        title, text = meeting_summary_text(meeting)
        body = "".join(f"<p>{line}</p>" for line in text.split("\n\n"))
        when = meeting.reviewed_at + datetime.timedelta(hours=rng.randint(1, 72))
        if when > timezone.now():
            continue
        posts.append(
            Post(
                organization=meeting.organization,
                section="branch_life",
                category=categories["minutes"],
                title=title,
                body=body,
                visibility="public",
                status="published",
                published_at=when,
                author_id=authors.get(meeting.organization_id),
                source_meeting=meeting,
                search_tokens=search_tokens(title, body),
            )
        )
        posts[-1].demo_when = when
        summaries += 1
    whens = [p.demo_when for p in posts]
    created = Post.objects.bulk_create(posts, batch_size=500)
    for post, when in zip(created, whens):
        post.demo_when = when
    # auto_now(_add) overwrote the dates: put the publishing times back with one UPDATE … CASE per chunk.
    _restore_dates(created)
    for post in created:
        post._history_date = post.demo_when
    Post.history.bulk_history_create(created, batch_size=500, default_change_reason="load_demo")
    counts = {
        "posts": len(created),
        "summaries": summaries,
        "theory": sum(1 for p in created if p.category_id == categories["theory"].pk),
        "work": sum(1 for p in created if p.category_id == categories["work"].pk),
        "pending": sum(1 for p in created if p.status == "pending"),
    }
    return counts


def _restore_dates(posts: list[Post]) -> None:
    table = connection.ops.quote_name(Post._meta.db_table)
    with connection.cursor() as cursor:
        execute_many(
            cursor,
            f"UPDATE {table} SET created_at = %s, updated_at = %s WHERE id = %s",
            [
                (
                    connection.ops.adapt_datetimefield_value(p.demo_when),
                    connection.ops.adapt_datetimefield_value(p.demo_when),
                    p.pk,
                )
                for p in posts
            ],
        )
    for post in posts:
        post.created_at = post.updated_at = post.demo_when


def posts_demo_clear() -> None:
    attachments_remove(PostAttachment.objects.all())  # the files go on commit
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{Post.history.model._meta.db_table}"')
        cursor.execute(f'DELETE FROM "{Post._meta.db_table}"')
    PublishingRule.history.all().delete()
    PublishingRule.objects.all().delete()


def load(builder: DemoBuilder) -> str:
    counts = posts_demo_create(today=builder.today, rng=random.Random(f"{builder.seed}:posts"))
    return (
        f"{counts['posts']} posts ({counts['theory']} 理论学习, {counts['work']} 推进工作, "
        f"{counts['summaries']} minutes summaries, {counts['pending']} awaiting the confidentiality check)"
    )
