"""The lifecycle's demo data (issue 8), a load_demo step: development cases for everyone on the way in (some
overdue), transfer letters in flight, twelve months of dues with some arrears, care occasions and visits.
Terms due for renewal come with the tree (``DemoBuilder._term_start``).

Bulk inserts with explicit history rows; dates derived from the people's own dates, random numbers from a
generator seeded from the demo's seed (the members' draws are not disturbed)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from branches.bulk import execute_many
from branches.models import Organization
from members.models import (
    CareOccasion,
    CareOccasionKind,
    CareReport,
    CareVisit,
    DevelopmentCase,
    DevelopmentStep,
    DuesDeclaration,
    DuesExemption,
    DuesPayment,
    ElectedSeat,
    Member,
    TermCandidate,
    TermElection,
    Transfer,
)
from members.rules import add_months, add_working_days, first_of_month, to_fen

D = datetime.timedelta
EMPLOYEE_BASE = (3500, 16000)
PENSION_BASE = (2500, 9000)
RATES = (  # (upper limit, rate %) — the same table the defaults hold, used here without a query per member
    ("employee", ((3000, "0.5"), (5000, "1"), (10000, "1.5"), (None, "2"))),
    ("retiree", ((5000, "0.5"), (None, "1"))),
)


def _prepared(memo: dict, field, value):
    """``field.get_db_prep_save(value)``, once per distinct value of a column (a demo's columns repeat a few
    hundred values over tens of thousands of rows); keyed by type as well, so True and 1 stay apart."""
    try:
        return memo[type(value), value]
    except KeyError:
        prepared = memo[type(value), value] = field.get_db_prep_save(value, connection)
        return prepared
    except TypeError:  # an unhashable value (a JSON list or dict) is prepared each time
        return field.get_db_prep_save(value, connection)


def _insert_many(model, objs: list) -> None:
    """Rows that nothing points at, by one prepared INSERT run for every row (executemany): Django's bulk_create
    splits into 999-parameter statements on SQLite (≈ 90 rows each), ten times slower for 60,000 rows."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    columns = [(f, {}) for f in fields]
    rows = [[_prepared(memo, f, f.pre_save(obj, True)) for f, memo in columns] for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            execute_many(cursor, sql, rows[start : start + 5000])


def _insert_objects(model, objs: list) -> None:
    """Like ``_insert_many``, and then the new ids read back onto ``objs`` in insertion order (issue 17.3: the
    ORM's bulk_create compiles every value through multi-row statements of 999 parameters on SQLite). Reading
    them as "the ids above the largest before" is sound inside load_demo's transaction, where nothing else
    inserts these rows; the count is checked all the same (as ``disclosure.demo._meetings_insert``)."""
    if not objs:
        return
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({pk}) FROM {table}")
        before = cursor.fetchone()[0] or 0
    _insert_many(model, objs)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}", [before])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(objs):
        raise RuntimeError(
            f"{model.__name__} rows were inserted by someone else during load_demo; run it again."
        )
    for obj, pk_value in zip(objs, ids):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias


def _insert_values(model, names: list[str], rows: list[list]) -> None:
    """Like ``_insert_many`` from plain value lists (no model instances: 60,000 of them cost seconds). Each
    distinct value is prepared for the database once per column."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    columns = [(f, {}) for f in fields]
    prepared = [[_prepared(memo, f, value) for (f, memo), value in zip(columns, row)] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 5000):
            execute_many(cursor, sql, prepared[start : start + 5000])


def _history_copy(model, *, reason: str = "load_demo", from_pk: int | None = None) -> None:
    """History rows for every row of ``model``'s table (from ``from_pk`` on), copied by the database
    (INSERT … SELECT), as ``members.resources._history_insert`` does for imports. The demo's tables are
    empty before the step."""
    history = model.history.model
    quote = connection.ops.quote_name
    tracked = list(model._meta.concrete_fields)
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user": None,
    }
    columns = [history._meta.get_field(f.name).column for f in tracked]
    columns += [history._meta.get_field(name).column for name in extra]
    params = [history._meta.get_field(name).get_db_prep_save(v, connection) for name, v in extra.items()]
    sql = "INSERT INTO {} ({}) SELECT {}, {} FROM {}".format(
        quote(history._meta.db_table),
        ", ".join(map(quote, columns)),
        ", ".join(quote(f.column) for f in tracked),
        ", ".join(["%s"] * len(extra)),
        quote(model._meta.db_table),
    )
    if from_pk is not None:
        sql += f" WHERE {quote(model._meta.pk.column)} >= %s"
        params.append(from_pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _amount(kind: str, base: Decimal) -> Decimal:
    if kind in ("student", "relief"):
        return Decimal("0.20")
    for limit, rate in dict(RATES)[kind]:
        if limit is None or base <= limit:
            return to_fen(base * Decimal(rate) / 100)
    raise AssertionError


def _step_dates(
    member: Member, today: datetime.date, rng: random.Random
) -> tuple[list[tuple[int, datetime.date]], dict]:
    """The steps a person at their stage has done, each with a date, and the member fields it implies."""
    applied = member.applied_on
    fields: dict = {}
    steps = [(1, applied)]
    if member.stage == Member.Stage.APPLICANT:
        talk = applied + D(days=rng.randint(7, 25))
        if talk <= today and rng.random() < 0.8:  # the rest are waiting for their talk (some overdue)
            steps.append((2, talk))
        return steps, fields
    activist = member.activist_on or applied + D(days=35)
    if member.activist_on is None:
        fields["activist_on"] = activist
    steps += [
        (2, applied + D(days=14)),
        (3, activist),
        (4, activist + D(days=7)),
        (5, activist + D(days=7)),
        (6, activist + D(days=180)),
    ]
    if member.stage == Member.Stage.ACTIVIST:
        return [(n, d) for n, d in steps if d <= today], fields
    candidate = member.candidate_on or activist + D(days=380)
    if member.candidate_on is None:
        fields["candidate_on"] = candidate
    steps += [
        (7, candidate),
        (8, candidate + D(days=7)),
        (9, candidate + D(days=10)),
        (10, candidate + D(days=30)),
        (11, candidate + D(days=45)),
    ]
    if member.stage == Member.Stage.CANDIDATE:
        return [(n, d) for n, d in steps if d <= today], fields
    vote = member.joined_on
    review = min(vote - D(days=12), max(candidate + D(days=50), vote - D(days=30)))
    notice_until = add_working_days(review, 5)
    steps += [
        (12, review),
        (13, review + D(days=2)),
        (14, max(notice_until + D(days=1), review + D(days=2))),
        (15, vote),
        (16, vote + D(days=14)),
        (17, vote + D(days=rng.choice((30, 45, 60, 75, 95)))),
        (18, vote + D(days=110)),
        (19, vote + D(days=115)),
        (20, vote + D(days=120)),
        (21, vote + D(days=200)),
    ]
    # Dates must not go backwards (a few demo people have short gaps): clamp to the previous step.
    clamped, last = [], applied
    for number, day in steps:
        last = max(last, day)
        clamped.append((number, last))
    return [(n, d) for n, d in clamped if d <= today], fields


def _development(builder, rng: random.Random) -> dict:
    today = builder.today
    cases, steps_by_case = [], []
    for member in builder.members:
        if member.stage == Member.Stage.FULL or member.applied_on is None:
            continue
        steps, _fields = _step_dates(member, today, rng)
        last_number, last_day = steps[-1]
        case = DevelopmentCase(
            member=member,
            last_step=last_number,
            last_step_on=last_day,
            last_reviewed_on=next((d for n, d in steps if n == 6), None),
        )
        cases.append(case)
        steps_by_case.append(steps)
    DevelopmentCase.objects.bulk_create(cases, batch_size=2000)
    _history_copy(DevelopmentCase)
    rows = []
    now = timezone.now()
    for case, steps in zip(cases, steps_by_case):
        vote = next((d for n, d in steps if n == 15), None)
        for number, day in steps:
            warning = ""
            if number == 17 and vote and (day - vote).days > 90:
                warning = f"审批超过90天（应于{(vote + D(days=90)).isoformat()}前）"
            rows.append(
                [
                    case.pk,
                    number,
                    day,
                    "张明,李华" if number in (5, 9) else "",
                    "",
                    3 if number == 11 else None,
                    None,
                    add_working_days(day, 5) if number == 12 else None,
                    "",
                    warning,
                    now,
                ]
            )
    _insert_values(
        DevelopmentStep,
        [
            "case",
            "number",
            "done_on",
            "people_names",
            "documents",
            "training_days",
            "training_hours",
            "notice_until",
            "note",
            "warning",
            "recorded_at",
        ],
        rows,
    )
    _history_copy(DevelopmentStep)
    return {"cases": len(cases), "steps": len(rows)}


def _transfers(builder, rng: random.Random) -> int:
    today = builder.today
    by_branch: dict[int, list[Member]] = {}
    for member in builder.members:
        if member.is_party_member and member.user_id is None:
            by_branch.setdefault(member.branch_id, []).append(member)
    branches = [m.branch for m in builder.members if m.stage == Member.Stage.FULL]
    branch_list = list({b.pk: b for b in branches}.values())
    transfers = []
    for index, (branch_id, people) in enumerate(sorted(by_branch.items())):
        branch = people[0].branch
        if index % 4:
            continue
        count = 3 if branch.category == Organization.Category.STUDENT else 1
        for number, member in enumerate(rng.sample(people, min(count, len(people))), start=1):
            issued = today - D(days=rng.randint(3, 120))  # some letters have expired (validity 3 months)
            within = rng.random() < 0.3
            to_branch = rng.choice(branch_list) if within else None
            if to_branch is not None and to_branch.pk == branch_id:
                to_branch, within = None, False
            transfers.append(
                Transfer(
                    member=member,
                    direction="within" if within else "out",
                    from_branch_id=branch_id,
                    to_branch=to_branch,
                    outside_unit=""
                    if within
                    else rng.choice(
                        (
                            "中共某市委组织部人才服务中心",
                            "某大学研究生院党委",
                            "某区街道党工委",
                            "某科技公司党委",
                        )
                    ),
                    letter_number=f"{issued:%Y}-{branch.code[-4:]}-{number:02d}",
                    issued_on=issued,
                    valid_until=add_months(issued, 3),
                    dues_paid_to=first_of_month(issued),
                )
            )
    Transfer.objects.bulk_create(transfers, batch_size=2000)
    _history_copy(Transfer)
    return len(transfers)


def _dues(builder, rng: random.Random) -> dict:
    """Declarations for every party member and twelve months of ledgers (to last month), about 3 % of members
    in arrears for a few months and about 1 % lapsed (six months and more)."""
    today = builder.today
    months = [first_of_month(add_months(today, -k)) for k in range(12, 0, -1)]
    declarations, payments = [], []
    exempt: list[tuple[Member, datetime.date, int]] = []
    for member in builder.members:
        if not member.is_party_member:
            continue
        if member.category == Organization.Category.STUDENT:
            kind, base = "student", Decimal(0)
        elif member.category == Organization.Category.RETIREE:
            kind, base = "retiree", Decimal(rng.randrange(*PENSION_BASE, 50))
        else:
            kind, base = "employee", Decimal(rng.randrange(*EMPLOYEE_BASE, 50))
        amount = _amount(kind, base)
        since = first_of_month(max(member.joined_on, months[0]))
        declarations.append(
            DuesDeclaration(member=member, valid_from=since, kind=kind, base=base, amount=amount)
        )
        luck = rng.random()
        unpaid = 7 if luck < 0.01 else (rng.randint(1, 3) if luck < 0.04 else 0)
        if luck < 0.01:
            exempt.append((member, months[-unpaid], 12))  # a long illness: the months left unpaid
        elif luck > 0.995:
            exempt.append((member, first_of_month(add_months(today, 1)), 3))  # from next month
        for month in months[: len(months) - unpaid]:
            if month < since:
                continue
            paid_on = month + D(days=rng.randint(0, 20))
            payments.append([member.pk, member.branch_id, month, "paid", amount, min(paid_on, today), ""])
    _insert_many(DuesDeclaration, declarations)
    _history_copy(DuesDeclaration)
    _insert_values(
        DuesPayment, ["member", "branch", "month", "status", "amount", "paid_on", "approval"], payments
    )
    _history_copy(DuesPayment)
    # Their own random stream: the draws of the other demo steps stay what they were.
    exemptions = _exemptions(builder, random.Random(f"exemptions-{builder.seed}"), exempt)
    return {"declarations": len(declarations), "payments": len(payments), "exemptions": exemptions}


EXEMPTION_REASONS = (
    "长期病休，无工资收入",
    "家庭遭遇重大变故，生活困难",
    "失业待业，无固定收入",
    "享受最低生活保障",
)


def _exemptions(builder, rng: random.Random, wanted: list[tuple[Member, datetime.date, int]]) -> int:
    """Dues exemptions (issue 22): most of the lapsed members' long illnesses approved by their secondary
    committee (so the lapse to-do leaves them out), some waiting for it, one in five upcoming ones returned
    with a reason. The approver is the branch's parent (a secondary committee in the demo tree)."""
    branch_ids = {member.branch_id for member, _first, _months in wanted}
    paths = dict(Organization.objects.filter(pk__in=branch_ids).values_list("pk", "path"))
    parents = dict(
        Organization.objects.filter(
            path__in={p[: -Organization.steplen] for p in paths.values()}
        ).values_list("path", "pk")
    )
    now = timezone.now()
    rows = []
    for member, first, months in wanted:
        past = first <= first_of_month(builder.today)
        roll = rng.random()
        status = (
            ("approved" if roll < 0.7 else "submitted")
            if past
            else ("returned" if roll < 0.2 else "submitted")
        )
        rows.append(
            DuesExemption(
                member=member,
                branch_id=member.branch_id,
                approver_id=parents[paths[member.branch_id][: -Organization.steplen]],
                first_month=first,
                last_month=add_months(first, months - 1),
                reason=rng.choice(EXEMPTION_REASONS),
                status=status,
                return_reason="请补充相关证明材料" if status == "returned" else "",
                requested_at=now - D(days=rng.randint(3, 30)),
                reviewed_at=now - D(days=rng.randint(0, 2)) if status != "submitted" else None,
            )
        )
    DuesExemption.objects.bulk_create(rows, batch_size=2000)
    _history_copy(DuesExemption)
    return len(rows)


def _care(builder, rng: random.Random) -> dict:
    today = builder.today
    kinds = {k.code: k for k in CareOccasionKind.objects.all()}
    occasions, visits = [], []
    candidates = [m for m in builder.members if m.is_party_member]
    for member in rng.sample(candidates, min(len(candidates), 120)):
        code = (
            "old_member"
            if member.category == Organization.Category.RETIREE
            else rng.choice(("illness", "hardship", "bereavement"))
        )
        kind = kinds.get(code)
        if kind is None:
            continue
        noted = today - D(days=rng.randint(0, 150))
        occasion = CareOccasion(member=member, kind=kind, noted_on=noted, note="")
        occasions.append(occasion)
        if rng.random() < 0.8:  # the rest wait for their visit (the older ones overdue)
            visits.append(
                (
                    occasion,
                    min(today, noted + D(days=rng.randint(1, kind.visit_within_days))),
                    rng.choice(("支部书记、组织委员", "支部书记", "党小组长")),
                    rng.choice(("慰问金500元", "送去慰问品", "协助办理医疗报销", "谈心谈话")),
                )
            )
    CareOccasion.objects.bulk_create(occasions, batch_size=2000)
    _history_copy(CareOccasion)
    rows = [
        CareVisit(occasion=o, visited_on=day, visitors=who, help_given=what) for o, day, who, what in visits
    ]
    _insert_many(CareVisit, rows)
    _history_copy(CareVisit)
    return {"occasions": len(occasions), "visits": len(rows)}


def _candidates(builder, rng: random.Random) -> int:
    """Candidates for the next election of the five branches whose terms started longest ago (the overdue
    ones on the terms page): 4 full members each, so their ballots and tally sheets print names."""
    full: dict[int, list[Member]] = {}
    for m in builder.members:
        if m.stage == Member.Stage.FULL and m.is_active:
            full.setdefault(m.branch_id, []).append(m)
    oldest = Organization.objects.filter(
        kind=Organization.Kind.BRANCH, is_active=True, term_started_on__isnull=False, pk__in=list(full)
    ).order_by("term_started_on", "path")[:5]
    rows = [
        TermCandidate(organization=branch, term_started_on=branch.term_started_on, member=member)
        for branch in oldest
        for member in rng.sample(full[branch.pk], min(4, len(full[branch.pk])))
    ]
    TermCandidate.objects.bulk_create(rows)
    _history_copy(TermCandidate)
    return len(rows)


def load(builder) -> str:
    rng = random.Random(f"lifecycle-{builder.seed}")
    development = _development(builder, rng)
    transfers = _transfers(builder, rng)
    dues = _dues(builder, rng)
    care = _care(builder, rng)
    candidates = _candidates(builder, rng)
    return (
        f"{development['cases']} development cases ({development['steps']} steps), {transfers} transfers in "
        f"flight, {dues['declarations']} dues bases and {dues['payments']} monthly dues lines "
        f"({dues['exemptions']} exemptions asked for), "
        f"{care['occasions']} care occasions ({care['visits']} visited), "
        f"{candidates} election candidates"
    )


def clear() -> None:
    """Plain DELETEs, children first (the ORM's delete would write a history row per object first)."""
    models = [
        TermCandidate,
        ElectedSeat,
        TermElection,
        CareReport,
        CareVisit,
        CareOccasion,
        DuesExemption,
        DuesPayment,
        DuesDeclaration,
        Transfer,
        DevelopmentStep.people.through,
        DevelopmentStep,
        DevelopmentCase,
    ]
    tables = [m._meta.db_table for m in models]
    tables += [m.history.model._meta.db_table for m in models if hasattr(m, "history")]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
