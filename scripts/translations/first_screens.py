"""zh_Hans for issue 22: each person's first screen (the secretary's main actions, the member's home, dues
recorded by the branch in one step, the summary's confirmation, the review menu)."""

T = {
    # The secretary's main actions and the menu.
    "Main actions": "常用操作",
    "File a meeting": "登记会议",
    "Publish a post": "发布信息",
    # Dues: the branch records, "all paid this month, except…".
    "Not paid (left out)": "未缴（不一并登记）",
    "Check the members left out.": "请检查勾选的未缴党员。",
    "Some of these dues were recorded meanwhile; reload the page.": "其中部分党费已由他人同时登记，请刷新页面。",
    "All paid for %(month)s, except…": "%(month)s党费：除勾选者外全部已缴",
    "Record the others as paid": "其余党员登记为已缴",
    "Dues are recorded by the branch (its secretary, deputy secretary and organisation commissioner); units "
    "above read the ledger.": "党费由支部登记（支部书记、副书记、组织委员）；上级党组织查阅台账。",
    # To-dos that read differently.
    "Review: %(meeting)s of %(unit)s held on %(day)s": "审核：%(unit)s%(day)s的%(meeting)s",
    "Returned: %(meeting)s of %(day)s — %(reason)s": "被退回：%(day)s的%(meeting)s——%(reason)s",
    # The summary's confirmation.
    "Publish the summary?": "发布会议简讯？",
    "These minutes are %(visibility)s. The text below will be public on the unit's page (Branch life), readable "
    "by anyone without signing in; the minutes themselves stay %(visibility)s.":
        "该会议记录的可见范围为“%(visibility)s”。以下文字将公开发布在本单位页面的“支部生活”栏目，任何人无需登录即可阅读；"
        "会议记录本身仍为“%(visibility)s”。",
    "Publish this text": "公开发布以上内容",
    # The member's home.
    "My dues": "我的党费",
    "Monthly dues: %(amount)s": "每月应缴：%(amount)s",
    "No dues base declared yet; ask your branch's organisation commissioner.": "尚未申报党费基数，请联系支部组织委员。",
    "%(month)s recorded": "%(month)s已登记",
    "%(month)s not yet recorded": "%(month)s尚未登记",
    "Open for me to rate": "待我参加的测评",
    "Until %(closes)s · %(rated)s of %(total)s rated": "截至%(closes)s · 已评%(rated)s/%(total)s",
    "The branch this month (%(month)s月)": "本支部本月任务（%(month)s月）",
    "To do": "待办",
    "%(held)s of %(required)s, by %(day)s": "已开%(held)s次/应开%(required)s次，%(day)s前",
    "No meeting is required this month.": "本月没有必须召开的会议。",
    # The funding overview's chart.
    "Granted by secondary committee": "各二级党组织获批经费",
    "Bar chart of the amounts granted per secondary committee; the figures are in the table below.":
        "各二级党组织获批经费条形图，具体数字见下表。",
}

P = {
    "%(n)d member recorded as paid.": "已将%(n)d名党员登记为已缴。",
    "%(n)s member has no line this month. Tick those who have not paid; everyone else is recorded as paid at "
    "the declared amount, in one step.":
        "本月有%(n)s名党员尚未登记。请勾选未缴的党员，其余党员将按申报金额一次登记为已缴。",
    "%(n)s month this year without a line:": "今年有%(n)s个月尚未登记：",
}
