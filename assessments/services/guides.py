"""Issue 18: the 年度工作指南 of each programme, written by 组织部 and published to the branches of that programme;
each of its actions is a to-do for the branch's secretaries in its month until the branch records it as done,
and what the branch records is evidence for the action's indicator when assessments open."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AnnualGuide, GuideAction, GuideActionDone, Programme
from assessments.models.targets import PROGRAMME_FOR_CATEGORY
from assessments.services.targets import require_officer
from branches.dates import month_end
from branches.models import Organization, Role
from branches.once import once_bind, once_claim

BRANCH_PROGRAMMES = (Programme.LADDER, Programme.CHAPTER, Programme.EFFICIENCY, Programme.RETIREE)
GUIDE_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)

# The default months of a guide (组织部 edits them): month, required, title, indicator code.
_COMMON = [
    (1, True, "制定支部年度工作计划和自选动作", "3.3"),
    (2, True, "召开年度组织生活会，开展民主评议党员", "2.3"),
    (3, True, "主题党日：学习全国两会精神", "2.2"),
    (4, True, "讲授专题党课", "1.1"),
    (5, False, "开展“五四”主题教育活动", "2.2"),
    (6, True, "“七一”主题党日，完成年度考核自评", "2.2"),
    (7, False, "暑期“四必访一报告”走访", "4.2"),
    (9, True, "新学期支部党员大会，收缴党费并公示", "2.5"),
    (10, True, "主题党日：国庆主题学习", "2.2"),
    (11, False, "半年工作检查和整改", "3.3"),
    (12, True, "年终总结，发布支部年度工作报告", "3.2"),
]
_OWN: dict[str, list[tuple[int, bool, str, str]]] = {  # keyed by the programme's str value
    Programme.LADDER: [
        (3, True, "开展师德师风专题学习", "6.2"),
        (5, True, "党建与学科建设融合推进会", "6.1"),
        (9, False, "教师党员联系指导新生", "6.3"),
        (11, True, "“双带头人”书记工作室交流", "5.1"),
    ],
    Programme.CHAPTER: [
        (3, True, "推优入党和入党积极分子培养", "6.1"),
        (4, False, "学风建设月和学业帮扶", "6.2"),
        (9, True, "新生党员组织关系接转和教育", "6.3"),
        (10, False, "红色主题实践活动", "5.1"),
    ],
    Programme.EFFICIENCY: [
        (3, True, "公布服务承诺和办事流程", "6.1"),
        (6, True, "开展师生满意度调查", "6.2"),
        (9, False, "党员示范岗评选", "5.1"),
        (11, True, "机关作风建设自查", "6.3"),
    ],
    Programme.RETIREE: [
        (1, True, "春节走访慰问老党员", "3.1"),
        (3, True, "送学上门：集中学习资料", "1.1"),
        (6, True, "“七一”老党员主题党日", "2.2"),
        (10, False, "重阳节关心关爱活动", "3.1"),
    ],
}
_RETIREE_CODES = {"3.3": "2.2", "2.3": "2.2", "1.1": "1.1", "2.5": "2.3", "4.2": "3.1", "3.2": "4.1"}


def default_actions(programme: str) -> list[tuple[int, bool, str, str]]:
    """The default months of ``programme``'s guide: the common actions and the programme's own."""
    common = _COMMON
    if programme == Programme.RETIREE:  # the light table has other codes
        common = [(m, r, t, _RETIREE_CODES.get(c, "")) for m, r, t, c in _COMMON]
    return sorted(common + _OWN[programme], key=lambda a: (a[0], not a[1]))


@transaction.atomic
def guide_create(*, year: int, programme: str, by: User | None, standard: bool = True) -> AnnualGuide:
    """A draft guide for ``year`` and a branch ``programme``, with the default actions unless ``standard`` is False."""
    require_officer(by=by)
    if programme not in BRANCH_PROGRAMMES:
        raise ValidationError(_("Annual work guides are written for the branch programmes."))
    if AnnualGuide.objects.filter(year=year, programme=programme).exists():
        raise ValidationError(_("This year's guide for the programme already exists."))
    guide = AnnualGuide.objects.create(
        year=year, programme=programme, title=f"{year}年度{Programme(programme).label}工作指南"
    )
    if standard:
        GuideAction.objects.bulk_create(
            [
                GuideAction(guide=guide, month=m, required=r, title=t, indicator_code=c, position=i)
                for i, (m, r, t, c) in enumerate(default_actions(programme))
            ]
        )
    return guide


@transaction.atomic
def guide_action_save(
    *, guide: AnnualGuide, by: User | None, action: GuideAction | None = None, request_key=None, **values
) -> GuideAction:
    """Add (``action`` None, once per form) or edit one month's action of ``guide``."""
    require_officer(by=by)
    if action is None and (existing := once_claim(key=request_key, user=by, model=GuideAction)) is not None:
        return existing
    if not 1 <= int(values.get("month", action.month if action else 0)) <= 12:
        raise ValidationError(_("Give a month from 1 to 12."))
    action = action or GuideAction(guide=guide)
    for name, value in values.items():
        setattr(action, name, value)
    if action.pk is None:
        action.position = (guide.actions.aggregate(m=Max("position"))["m"] or 0) + 1
        action.save()
        once_bind(key=request_key, record=action)
        return action
    action.save()
    return action


@transaction.atomic
def guide_action_delete(*, action: GuideAction, by: User | None) -> None:
    require_officer(by=by)
    if action.completions.exists():
        raise ValidationError(_("Branches have recorded this action as done; edit it instead."))
    action.delete()


@transaction.atomic
def guide_publish(*, guide: AnnualGuide, by: User | None, today: datetime.date | None = None) -> int:
    """Publish ``guide`` to its programme's branches and put this month's actions on their to-do lists.
    Publishing twice changes nothing. Returns the number of to-dos opened."""
    require_officer(by=by)
    if not guide.actions.exists():
        raise ValidationError(_("A guide needs at least one action."))
    if guide.published_at is None:
        guide.published_at = timezone.now()
        guide.published_by = by
        guide.save(update_fields=["published_at", "published_by"])
    return guide_todos_advance(today=today or timezone.localdate())["created"]


def _own_branch(by: User | None, branch: Organization) -> None:
    if (
        by is not None
        and not Role.objects.current().filter(user=by, organization=branch, kind__in=GUIDE_ROLES).exists()
    ):
        raise PermissionDenied


@transaction.atomic
def guide_action_done(
    *,
    action: GuideAction,
    branch: Organization,
    by: User | None,
    done_on: datetime.date,
    evidence: str = "",
    request_key=None,
) -> GuideActionDone:
    """The branch records that it did ``action`` (its secretaries); its to-do closes. Once per branch and
    action: a second record, or the same form sent twice, returns the first."""
    _own_branch(by, branch)
    if not action.guide.is_published or PROGRAMME_FOR_CATEGORY.get(branch.category) != action.guide.programme:
        raise ValidationError(_("This action is not in the branch's published guide."))
    if done_on.year != action.guide.year:
        raise ValidationError(
            _("Record an action of the %(year)s guide with a day of %(year)s.") % {"year": action.guide.year}
        )
    if (existing := once_claim(key=request_key, user=by, model=GuideActionDone)) is not None:
        return existing
    done, created = GuideActionDone.objects.get_or_create(
        action=action,
        organization=branch,
        defaults={"done_on": done_on, "evidence": evidence.strip(), "recorded_by": by},
    )
    if created:
        once_bind(key=request_key, record=done)
        from disclosure.models import Todo

        Todo.objects.open().filter(kind=Todo.Kind.GUIDE, key=_key(action, branch)).update(
            done_at=timezone.now()
        )
    return done


def _key(action: GuideAction, branch: Organization) -> str:
    return f"guide:{action.pk}:{branch.pk}"


@transaction.atomic
def guide_todos_advance(*, today: datetime.date) -> dict[str, int]:
    """The month's actions of every published guide of ``today``'s year, as to-dos for the secretaries of each
    active branch of the guide's programme that has not recorded the action; due at the month's end. Derived
    from the state (``todos_sync``): a later month's run closes the previous month's open ones."""
    from disclosure.models import Todo
    from disclosure.services.todos import role_holders, todos_sync

    actions = list(
        GuideAction.objects.filter(
            guide__year=today.year, guide__published_at__isnull=False, month=today.month
        ).select_related("guide")
    )
    wanted: list[Todo] = []
    if actions:
        categories = {p: c for c, p in PROGRAMME_FOR_CATEGORY.items()}
        wanted_categories = {categories[a.guide.programme] for a in actions}
        branches = list(
            Organization.objects.filter(
                kind=Organization.Kind.BRANCH, is_active=True, category__in=wanted_categories
            ).only("pk", "category")
        )
        holders = role_holders([b.pk for b in branches], GUIDE_ROLES)
        done = set(
            GuideActionDone.objects.filter(action__in=actions).values_list("action_id", "organization_id")
        )
        due = month_end(today.year, today.month)
        for action in actions:
            label = _("Required") if action.required else _("Suggested")
            text = (
                _("Month %(month)d guide (%(kind)s): %(action)s")
                % {"month": action.month, "kind": label, "action": action.title}
            )[:200]
            for branch in branches:
                if categories[action.guide.programme] != branch.category or (action.pk, branch.pk) in done:
                    continue
                link = reverse("cycle:branch_guide", args=[branch.pk, action.guide.year])
                wanted += [
                    Todo(
                        user_id=u,
                        kind=Todo.Kind.GUIDE,
                        key=_key(action, branch),
                        organization_id=branch.pk,
                        text=text,
                        link=link,
                        due_on=due,
                    )
                    for u in holders.get(branch.pk, [])
                ]
    return todos_sync(kind=Todo.Kind.GUIDE, wanted=wanted)


@transaction.atomic
def eight_ones_tick(*, item, branch: Organization, year: int, by: User | None, evidence: str):
    """A branch's tick of a 八个一 item the records cannot show, with its evidence (its secretaries). Ticking
    again replaces the evidence."""
    from assessments.models import EightOnesTick

    _own_branch(by, branch)
    if item.measure:
        raise ValidationError(_("This item is computed from the portal's records."))
    if not evidence.strip():
        raise ValidationError(_("Give the evidence."))
    tick, _created = EightOnesTick.objects.update_or_create(
        item=item, organization=branch, year=year, defaults={"evidence": evidence.strip(), "ticked_by": by}
    )
    return tick
