"""zh_Hans for the export helper and the exports moved onto it (issue 15): headers that were Chinese literals."""

T = {
    "Sheet": "工作表",
    "Member list": "党员名册",
    "Development stage": "发展阶段",
    "Steps done": "已完成步骤",
    "Current step": "当前步骤名称",
    "Joined on": "入党日期",
    "Probation extended (months)": "延长预备期（月）",
    "Transfer type": "类型",
    "Issued on": "开具日期",
    "From branch": "转出支部",
    "Dues paid to": "党费交至",
    "Receipt returned on": "回执日期",
    "Month %(month)d": "%(month)d月",
    "Months in arrears": "欠缴月数",
    "Exempt": "免交",
    "Assessment results": "考核结果",
    "Verified by the organisation department": "组织部核定",
    "Online and offline compared": "线上线下对比",
    "Online raters": "线上评价人数",
    "Online overall": "线上综合",
    "Offline raters": "线下评议人数",
    "Difference (online − offline)": "差值（线上−线下）",
    "Large difference": "差异较大",
    "Online rank": "线上排名",
    "Offline rank": "线下排名",
    "Fewer than %(n)d raters: not shown": "少于%(n)d人，不显示",
    "Rank correlation (Spearman): %(value)s, over %(n)d people compared":
        "秩相关系数（Spearman）：%(value)s，参与比较 %(n)d 人",
}
P: dict = {}
