"""zh_Hans for the pieces that join the apps together: member-affairs to-dos, the dues list as a notice."""

T = {
    "The official holidays of %(years)s are not entered yet: the notice was counted Monday to Friday; check its end date.": "%(years)s年的法定节假日安排尚未录入：公示期按周一至周五计算，请核对截止日期。",
    "official calendar year": "法定节假日年度", "official calendar years": "法定节假日年度",
    "official calendar day": "法定节假日调整日", "official calendar days": "法定节假日调整日",
    "Public holiday": "法定节假日", "Working day in lieu (调休)": "调休工作日", "day": "日期",
    "source": "来源", "The notice the days were taken from.": "节假日安排所依据的通知。",
    "The date cannot be before %(date)s.": "日期不能早于%(date)s。", "The date cannot be after %(date)s.": "日期不能晚于%(date)s。",
    "Enter a number.": "请输入数字。", "Enter a finite number.": "请输入有效的数字。",
    "The number cannot be larger than %(n)s.": "数值不能大于%(n)s。",
    "Use at most %(n)d decimal places.": "最多保留%(n)d位小数。",
    "At most %(n)d characters (this has %(m)d).": "最多%(n)d个字符（现有%(m)d个）。",
    "The number is out of range.": "数值超出范围。",
    "This form was already sent. Reload the page and try again.": "该表单已提交过。请刷新页面后重试。",
    "kind of record": "记录类型", "record": "记录", "one-time form key": "表单一次性令牌",
    "one-time form keys": "表单一次性令牌", "key": "令牌",
    "Member affairs": "党员管理事项",
    "Party dues paid in %(year)s": "%(year)s年度党费收缴情况公示",
    "Only a branch keeps a dues ledger.": "只有党支部有党费台账。",
    "The branch has no party members to list.": "本支部没有可公示的党员。",
    "Party dues of %(branch)s in %(year)s, up to %(until)s. Members with questions please contact the branch "
    "committee.": "%(branch)s %(year)s年度党费收缴情况（截至%(until)s）。如有疑问，请与支部委员会联系。",
    "Months paid": "已缴月数",
    "Paid (yuan)": "已缴金额（元）",
    "Months unpaid": "未缴月份",
    "Total paid: ¥%(total)s.": "合计已缴 ¥%(total)s。",
    "The dues list is published as an internal notice.": "党费收缴情况已在校内公示。",
    "The dues list has been sent for the confidentiality check.": "党费收缴情况已提交保密审查。",
    "Publish as an internal notice (张榜公布)": "校内公示（张榜公布）",
    "Members of the university see it in the branch's notices; publishing again brings it up to date.":
        "校内人员可在本支部的通知公告中查看；再次公示会更新为最新台账。",
    "development document": "发展材料", "development documents": "发展材料",
    "Scanned documents": "材料扫描件",
    "link": "链接",
    "Verify the reviewed assessments of %(year)s": "审核%(year)s年度已复核的考核",
    "PDF, images or Office documents, e.g. the application or the form.": "PDF、图片或 Office 文档，如入党申请书、入党志愿书。",
}
P = {}
