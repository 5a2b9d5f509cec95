"""zh_Hans for the 组织部 dashboard (issue 9): blocks, columns, the page and the xlsx."""

T = {
    "Total: %(unit)s": "合计：%(unit)s",
    "Figures as of %(time)s. %(note)s": "数据截至 %(time)s。%(note)s",
    "Assessment: progress and grades": "考核评估：进度与等次",
    "Units assessed": "参评单位",
    "Grades of": "等次年度",
    "Progress of this year's cycle; grades of the latest published cycle.": "本年度考核的进度；等次为最近一次公布的结果。",
    "双述双评 participation": "双述双评参与情况",
    "Roster raters who rated": "名册内已测评人数",
    "Campaigns of the latest year; counts only, never who rated whom.": "最近年度的测评活动；只统计人数，不显示谁评了谁。",
    "own figures": "本级数据",
    "as of": "统计日期",
    "computed at": "计算时间",
    "dashboard figures": "看板数据",
    "三会一课 completion by month": "三会一课逐月完成情况",
    "Month {}": "{}月",
    "Year so far": "本年累计",
    "Share of the required meetings held (approved minutes) in each period, counted in the month the period ends; "
    "the running month counts what is held so far.":
        "各周期应开会议中已开（纪要已审核通过）的比例，按周期结束的月份统计；当月按目前已开的计算。",
    "Publication (晾晒)": "信息公开（晾晒）",
    "Posts, last 90 days": "近 90 天发布",
    "Latest post": "最近发布",
    "Days since": "距今天数",
    "Published posts of the last 90 days by section, whatever their visibility; this year's 三会一课 minutes filed "
    "within the filing period.": "近 90 天按栏目统计的已发布信息（不论公开范围）；本年度三会一课纪要按期报送情况。",
    "Organizations and party members": "组织与党员",
    "Teachers": "教职工", "Students": "学生", "Retirees": "离退休",
    "Probationary members": "预备党员",
    "Active organizations and people, the same figures as party_stats.": "在册组织与人员，与党内统计报表口径一致。",
    "Admitted this year": "本年发展",
    "People at each stage of the pipeline; admitted this year counts joining dates since 1 January.":
        "发展各阶段人数；本年发展按 1 月 1 日以来的入党日期统计。",
    "Terms due": "换届提醒",
    "Term ended, election not held": "已到期未换届",
    "Term ends within six months": "六个月内到期",
    "Units of the subtree (the unit itself included) by the end of their committee's term.": "按任期届满时间统计的本级及下级组织。",
    "Dues arrears": "党费欠缴",
    "In arrears": "欠缴人数",
    "Share in arrears": "欠缴比例",
    "Six months or more": "连续六个月以上",
    "Received this year": "本年收缴",
    "In arrears: last month not settled (paid, paid on their behalf or exempt).": "欠缴：上月党费未结清（本人交纳、代交或经批准免交均视为结清）。",
    "Showcase projects and research funding": "特色阵地与研究课题经费",
    "Key grade": "重点",
    "Granted": "资助金额",
    "Spent": "已支出",
    "This year's calls, by lead unit; amounts in yuan.": "本年度申报，按牵头单位统计；金额单位为元。",
    "Show as": "显示方式",
    "Chart": "图表",
    "Table": "表格",
    "Export xlsx": "导出 xlsx",
    "%(title)s: chart; the table view has the same figures": "%(title)s：图表，表格视图中有同样的数字",
    "Nothing to show yet": "暂无数据",
    "Dashboard": "数据看板",
    "You hold no role that shows a unit's dashboard. Secretaries, organizers and officers of the organization "
    "department see their units here.": "您没有可查看数据看板的职务。党组织书记、组织委员和组织部工作人员可在此查看所在单位的数据。",
    "Dashboard · %(unit)s": "数据看板 · %(unit)s",
    "Up one level": "返回上一级",
    "No figures have been computed for this unit yet; they appear within minutes.": "本单位的数据尚未计算，几分钟内即可显示。",
}

P = {
    "Figures as of %(time)s (%(minutes)s minute ago); they are recomputed every few minutes and shortly after changes.":
        "数据更新于 %(time)s（%(minutes)s 分钟前）；每隔几分钟以及数据变动后不久会重新计算。",
}
