"""members' Word documents (issue 21), registered with ``branches.documents``: the dues list, a development
case's 公示 notice and 政审 summary, and the 换届 documents (请示, 选举办法, ballot, tally sheet, 决议). Each
builder takes loaded objects and returns the document's bytes; the views load and authorise."""

from __future__ import annotations

import datetime

from branches.dates import add_years
from branches.documents import DocumentKind, chinese_date, document_render, register_document
from branches.models import Organization, Role
from members.models import DevelopmentCase, ElectedSeat, Member, TermElection
from members.resources import EDUCATION_LABELS

DUES_LIST = register_document(
    DocumentKind(
        key="dues-list",
        title="党费收缴公示表",
        placeholders={
            "branch": "党支部",
            "year": "年度",
            "total": "合计（元）",
            "until": "统计至",
            "date": "制表日期",
        },
        tables={"dues": "每名党员各月交纳金额、合计与欠缴月数"},
        lines=(
            "{{ branch }}{{ year }}年度党费收缴情况公示",
            "统计至{{ until }}，本年合计收缴党费{{ total }}元。",
            "{{ table:dues }}",
            "如有疑问，请向党支部组织委员反映。",
            "{{ branch }}",
            "{{ date }}",
        ),
    )
)

NOTICE = register_document(
    DocumentKind(
        key="development-notice",
        title="拟发展党员公示",
        placeholders={
            "branch": "党支部",
            "name": "姓名",
            "gender": "性别",
            "ethnicity": "民族",
            "birth_year": "出生年份",
            "education": "学历",
            "applied_on": "申请入党日期",
            "activist_on": "确定积极分子日期",
            "candidate_on": "确定发展对象日期",
            "notice_until": "公示截止日期",
            "date": "公示日期",
        },
        lines=(
            "关于拟发展{{ name }}同志为中共预备党员的公示",
            "经{{ branch }}支部委员会研究，拟发展{{ name }}同志为中共预备党员，现予公示。",
            "{{ name }}，{{ gender }}，{{ ethnicity }}，{{ birth_year }}年生，{{ education }}，"
            "{{ applied_on }}递交入党申请书，{{ activist_on }}被确定为入党积极分子，{{ candidate_on }}被确定为发展对象。",
            "公示期至{{ notice_until }}。公示期间，党员和群众可通过来信、来电或来访等方式向党支部反映情况。",
            "{{ branch }}",
            "{{ date }}",
        ),
    )
)

POLITICAL_REVIEW = register_document(
    DocumentKind(
        key="development-review",
        title="发展对象政治审查综合报告",
        placeholders={
            "branch": "党支部",
            "name": "姓名",
            "gender": "性别",
            "ethnicity": "民族",
            "birth_year": "出生年份",
            "candidate_on": "确定发展对象日期",
            "review_on": "政治审查日期",
            "date": "日期",
        },
        lines=(
            "关于{{ name }}同志的政治审查综合报告",
            "{{ name }}，{{ gender }}，{{ ethnicity }}，{{ birth_year }}年生，{{ candidate_on }}被确定为发展对象。",
            "{{ branch }}于{{ review_on }}按照规定对其本人及其直系亲属、与本人关系密切的主要社会关系进行了政治审查。",
            "审查结论：该同志政治立场坚定，拥护党的路线方针政策，政审合格。",
            "{{ branch }}",
            "{{ date }}",
        ),
    )
)

TERM_REQUEST = register_document(
    DocumentKind(
        key="term-request",
        title="换届选举请示",
        placeholders={
            "unit": "党组织",
            "parent": "上级党组织",
            "term_started_on": "本届开始日期",
            "term_ends_on": "本届届满日期",
            "members": "党员人数",
            "full_members": "正式党员人数",
            "seats": "拟设委员名额",
            "date": "日期",
        },
        lines=(
            "关于{{ unit }}召开党员大会进行换届选举的请示",
            "{{ parent }}：",
            "{{ unit }}本届委员会于{{ term_started_on }}选举产生，至{{ term_ends_on }}任期届满。"
            "现有党员{{ members }}名，其中正式党员{{ full_members }}名。",
            "根据《中国共产党基层组织选举工作条例》，经研究，拟召开党员大会进行换届选举，"
            "新一届委员会拟设委员{{ seats }}名，采用差额选举办法。",
            "妥否，请批示。",
            "{{ unit }}",
            "{{ date }}",
        ),
    )
)

ELECTION_RULES = register_document(
    DocumentKind(
        key="term-election-rules",
        title="选举办法",
        placeholders={
            "unit": "党组织",
            "seats": "应选名额",
            "full_members": "有选举权的党员人数",
            "date": "日期",
        },
        lines=(
            "{{ unit }}党员大会选举办法（草案）",
            "一、本次大会选举产生新一届委员会，应选委员{{ seats }}名，实行差额选举。",
            "二、有选举权的正式党员{{ full_members }}名；到会有选举权的党员超过应到会人数的五分之四，方可进行选举。",
            "三、选举采用无记名投票方式。被选举人获得的赞成票超过实到会有选举权人数的一半，始得当选。",
            "四、大会设监票人、计票人，监票人由全体党员从不是候选人的党员中推选，经大会表决通过。",
            "{{ date }}",
        ),
    )
)

BALLOT = register_document(
    DocumentKind(
        key="term-ballot",
        title="选票",
        placeholders={"unit": "党组织", "seats": "应选名额"},
        tables={"candidates": "候选人姓名（按姓氏笔画）与划记栏"},
        lines=(
            "{{ unit }}委员会委员选举选票",
            "应选{{ seats }}名。赞成的在姓名下方空格内划“○”，不赞成的划“×”，另选他人的在空格内写上其姓名。",
            "{{ table:candidates }}",
        ),
    )
)

TALLY = register_document(
    DocumentKind(
        key="term-tally",
        title="计票单",
        placeholders={"unit": "党组织", "seats": "应选名额", "expected": "应到人数"},
        tables={"candidates": "候选人与得票（计票时填写）"},
        lines=(
            "{{ unit }}委员会委员选举计票单",
            "应选{{ seats }}名，应到会有选举权的党员{{ expected }}名。",
            "实到：____名；发出选票：____张；收回选票：____张；有效票：____张。",
            "{{ table:candidates }}",
            "监票人：________　计票人：________",
        ),
    )
)

RESOLUTION = register_document(
    DocumentKind(
        key="term-resolution",
        title="选举结果决议",
        placeholders={
            "unit": "党组织",
            "date": "日期（登记的选举日期；未登记时为生成日期）",
            "seats": "当选名额",
            "elected_on": "选举日期",
            "expected": "应到会有选举权的党员人数",
            "voters": "实到会有选举权的党员人数",
            "election": "选举情况（依登记的选举结果；未登记时写明未登记）",
            "outcome": "得票情况与结论",
        },
        tables={"elected": "当选人姓名、职务与得票数（依登记的选举结果）"},
        lines=(
            "{{ unit }}党员大会关于选举结果的决议",
            "{{ election }}",
            "{{ table:elected }}",
            "{{ outcome }}",
            "选举结果报上级党组织审批。",
            "{{ unit }}党员大会",
            "{{ date }}",
        ),
    )
)

TERM_KINDS = (TERM_REQUEST, ELECTION_RULES, BALLOT, TALLY, RESOLUTION)


_day = chinese_date  # the documents' date format, shared in branches.documents


def dues_list_document(*, branch: Organization, data: dict, today: datetime.date) -> bytes:
    """The year's dues list (``dues_year_list``'s data) as a Word table."""
    headers = ["姓名", *[f"{m.month}月" for m in data["months"]], "合计", "欠缴月数"]
    rows = []
    for row in data["rows"]:
        cells = []
        for cell in row["cells"]:
            payment = cell["payment"]
            cells.append(
                "免交" if payment and payment.status == "exempt" else (f"{payment.amount}" if payment else "")
            )
        rows.append([row["member"].name, *cells, f"{row['paid']}", len(row["arrears"])])
    return document_render(
        key=DUES_LIST.key,
        context={
            "branch": branch.name,
            "year": data["year"],
            "total": f"{data['total']}",
            "until": _day(data["until_end"]),
            "date": _day(today),
        },
        tables={"dues": (headers, rows)},
    )


def _person(member: Member) -> dict:
    return {
        "name": member.name,
        "gender": member.get_gender_display(),
        "ethnicity": member.ethnicity,
        "birth_year": member.birth_date.year,
        "education": EDUCATION_LABELS.get(member.education, ""),
        "applied_on": _day(member.applied_on),
        "activist_on": _day(member.activist_on),
        "candidate_on": _day(member.candidate_on),
        "branch": member.branch.name,
    }


def development_document(*, case: DevelopmentCase, key: str, today: datetime.date) -> bytes:
    """The case's 公示 notice (the date the branch committee's step 12 set) or its 政审 summary (step 10)."""
    steps = {step.number: step for step in case.steps.all()}
    notice, review = steps.get(12), steps.get(10)
    context = {
        **_person(case.member),
        "date": _day(notice.done_on if notice and key == NOTICE.key else today),
        "notice_until": _day(notice.notice_until if notice else None),
        "review_on": _day(review.done_on if review else None),
    }
    return document_render(key=key, context=context)


def term_document(
    *,
    unit: Organization,
    key: str,
    parent: Organization | None,
    members: int,
    full_members: int,
    candidates: list[str],
    today: datetime.date,
    election: TermElection | None = None,
) -> bytes:
    """One of the 换届 documents for ``unit``: seats by the branch-shape rule (DESIGN §5: 3–5 from 7 full
    members; a secondary committee 5); the ballot and tally list ``candidates`` (the recorded ones), or, with
    none recorded, one blank more than the seats (差额选举)."""
    seats = 5 if unit.kind in Organization.SECONDARY_KINDS else (5 if full_members >= 15 else 3)
    ends = add_years(unit.term_started_on, unit.term_years) if unit.term_started_on else None
    context = {
        "unit": unit.name,
        "parent": parent.name if parent else "",
        "term_started_on": _day(unit.term_started_on),
        "term_ends_on": _day(ends),
        "members": members,
        "full_members": full_members,
        "seats": seats,
        "expected": full_members,
        "date": _day(today),
    }
    tables: dict[str, tuple[list[str], list[list[object]]]] = {}
    candidates = candidates or [""] * (
        seats + 1
    )  # none recorded: blank columns, the names written in by hand
    if key == BALLOT.key:
        tables["candidates"] = (candidates, [[""] * len(candidates)])
    elif key == TALLY.key:
        tables["candidates"] = (
            ["候选人", "赞成", "不赞成", "弃权", "另选他人"],
            [[name, "", "", "", ""] for name in candidates],
        )
    elif key == RESOLUTION.key:
        resolution, tables["elected"] = _resolution(unit=unit, election=election, seats=seats)
        context.update(resolution)
    return document_render(key=key, context=context, tables=tables)


ROLE_ORDER = ("secretary", "deputy", "organizer", "publicity", "discipline")


def _seat_name(seat: ElectedSeat) -> str:
    member = getattr(seat.user, "member", None)
    return member.name if member else (seat.user.get_full_name() or seat.user.get_username())


def _resolution(
    *, unit: Organization, election: TermElection | None, seats: int
) -> tuple[dict, tuple[list[str], list[list[object]]]]:
    """The 决议's sentences and its table of the elected, from ``election`` (``term_election_current``): the
    people elected, their roles and votes as recorded. Without a recorded election it says so plainly and
    leaves the table for hand-filling, so a 决议 never states a result nobody recorded."""
    headers = ["姓名", "职务", "得票数"]
    if election is None:
        return (
            {
                "election": (
                    "【本单位本次换届选举的结果尚未在系统中登记，以下当选人名单和得票数未能依登记的选举结果填写。"
                    "请在“换届”页登记选举结果后重新生成本决议，或在下表中手工填写。】"
                    f"{unit.name}党员大会于____年__月__日召开，大会以无记名投票方式选举产生了新一届委员会委员____名："
                ),
                "outcome": "大会认为，选举程序符合《中国共产党基层组织选举工作条例》的规定，选举结果有效。",
                "elected_on": "",
                "voters": "",
            },
            (headers, [["", "", ""] for _i in range(seats)]),
        )
    labels = dict(Role.Kind.choices)
    by_person: dict[int, dict] = {}
    for seat in election.seats.all():
        person = by_person.setdefault(
            seat.user_id, {"name": _seat_name(seat), "roles": [], "votes": seat.votes}
        )
        person["roles"].append(seat.role)
    people = sorted(
        by_person.values(),
        key=lambda p: (
            min(ROLE_ORDER.index(r) if r in ROLE_ORDER else 9 for r in p["roles"]),
            -(p["votes"] or 0),
        ),
    )
    rows = [
        [
            p["name"],
            "、".join(
                str(labels.get(r, r))
                for r in sorted(p["roles"], key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 9)
            ),
            "" if p["votes"] is None else f"{p['votes']}票",
        ]
        for p in people
    ]
    present = f"，实到会有选举权的党员{election.voters}名" if election.voters else ""
    sentence = (
        f"{unit.name}党员大会于{_day(election.elected_on)}召开{present}。大会以无记名投票方式选举产生了"
        f"新一届委员会委员{len(people)}名（{'、'.join(p['name'] for p in people)}），当选人及得票如下："
    )
    outcome = []
    missing = [p["name"] for p in people if p["votes"] is None]
    if missing:
        outcome.append(f"（{'、'.join(missing)}的得票数未在系统中登记。）")
    if election.voters:
        short = [p["name"] for p in people if p["votes"] is not None and p["votes"] * 2 <= election.voters]
        if short:
            outcome.append(
                f"注意：{'、'.join(short)}的得票未超过实到会有选举权党员人数的一半，请核实选举结果。"
            )
        elif not missing:
            outcome.append("当选人得票均超过实到会有选举权党员人数的一半。")
    outcome.append("大会认为，选举程序符合《中国共产党基层组织选举工作条例》的规定，选举结果有效。")
    return (
        {
            "election": sentence,
            "outcome": "".join(outcome),
            "elected_on": _day(election.elected_on),
            "voters": election.voters or "",
            "seats": len(people),
            "date": _day(election.elected_on),
        },
        (headers, rows),
    )


def document_kind_title(key: str) -> str:
    from branches.documents import document_kind

    return document_kind(key).title
