"""zh_Hans for 党内统计, the national member sheet and the Word documents (issue 21)."""

T = {
    # Word documents (branches.documents, the admin)
    "Word template (.docx)": "Word 模板（.docx）", "document": "文书",
    "The file is not a Word document (.docx).": "该文件不是 Word 文档（.docx）。",
    "The template is larger than %(n)d MB.": "模板大于 %(n)d MB。",
    "The file is not a Word document (.docx) that can be read.": "该文件不是可读取的 Word 文档（.docx）。",
    "The placeholder “%(name)s” is split across differently formatted pieces of text (the word processor did this "
    "when part of it was edited or reformatted): delete it and type it again in one go, without changing its format "
    "halfway.": "占位符“%(name)s”被拆分成了格式不同的几段文字（文字处理软件在修改或调整其中一部分格式时造成）：请删除后一次性重新输入，"
                "中途不要改变格式。",
    "Unknown placeholder “%(name)s”; this document knows: %(known)s": "未知的占位符“%(name)s”；本文书可用：%(known)s",
    "A table placeholder must be alone in its paragraph: %(text)s": "表格占位符必须单独成段：%(text)s",
    "template": "模板", "document template": "文书模板", "document templates": "文书模板",
    "Word document (.docx)": "Word 文档（.docx）", "Minutes as a Word document (.docx)": "会议记录 Word 文档（.docx）",
    # member fields
    "Doctorate": "研究生（博士）", "Master's degree": "研究生（硕士）", "Bachelor's degree": "大学本科",
    "Junior college": "大学专科", "Secondary school or below": "中专及以下",
    "Professional and technical staff": "专业技术人员", "Management staff": "管理人员",
    "Support and skilled workers": "工勤技能人员", "Retired": "离退休人员", "Other occupation": "其他职业",
    "Doctoral student": "博士研究生", "Master's student": "硕士研究生", "Undergraduate": "本科生",
    "Junior college student": "专科生", "Died": "死亡", "Expelled from the Party": "开除党籍",
    "Withdrew or struck off": "退党除名", "Membership lapsed": "停止党籍", "education": "学历", "occupation": "工作岗位",
    "student level": "在读层次", "left the Party on": "离开党组织日期",
    "For the statistics of deaths and departures; the record is then inactive.": "用于统计党员减少情况；此后该记录不再有效。",
    "reason for leaving": "离开原因",
    # tables and reports
    "Party members as of the date": "统计日在册党员", "Members admitted in the year": "年度发展党员",
    "Probationary members made full in the year": "年度预备党员转正", "Probations extended in the year": "年度延长预备期",
    "Transfers in during the year": "年度组织关系转入", "Transfers out during the year": "年度组织关系转出",
    "Deaths and departures in the year": "年度党员减少（死亡、出党）",
    "Applicants, activists and development targets as of the date": "统计日入党申请人、积极分子和发展对象",
    "Party organisations as of the date": "统计日党组织", "counts": "统计对象", "rows": "行", "columns": "列",
    'A list of [key, label] pairs, e.g. [["total", "合计"], ["gender:F", "女"]].':
        '由 [键, 标题] 组成的列表，例如 [["total", "合计"], ["gender:F", "女"]]。',
    "A list of [key, label] pairs, like the rows.": "由 [键, 标题] 组成的列表，与行相同。",
    "counting rules": "统计口径", "order": "顺序", "statistics table": "统计表", "statistics tables": "统计表",
    "Queued": "排队中", "tables computed": "已计算表数", "tables": "表数", "result": "结果", "error": "错误",
    "requested by": "申请人", "finished at": "完成时间", "statistics report": "统计报表", "statistics reports": "统计报表",
    "Applicants and activists": "入党申请人和积极分子", "people": "人员",
    'A list of [field, heading, required] triples, e.g. [["name", "姓名", true]].':
        '由 [字段, 列标题, 是否必填] 组成的列表，例如 [["name", "姓名", true]]。',
    "member sheet layout": "信息采集表格式", "member sheet layouts": "信息采集表格式",
    "Han": "汉族", "Ethnic minorities": "少数民族", "Term recorded": "已登记届期", "Elected in the year": "本年换届",
    "The %(axis)s must be a list of 1 to 60 [key, label] pairs.": "%(axis)s必须是 1 至 60 个 [键, 标题] 组成的列表。",
    "Each of the %(axis)s must be a [key, label] pair of texts (a label of at most 60 characters): %(pair)s":
        "每一%(axis)s都必须是文字组成的 [键, 标题]（标题不超过 60 个字符）：%(pair)s",
    "Unknown key %(key)s in the %(axis)s; known keys: %(known)s": "%(axis)s中有未知的键 %(key)s；可用的键：%(known)s",
    "The columns must be a list of 1 to 60 [field, heading, required] triples.":
        "列必须是 1 至 60 个 [字段, 列标题, 是否必填] 组成的列表。",
    "Each column must be a [field, heading, required] triple: %(t)s": "每一列都必须是 [字段, 列标题, 是否必填]：%(t)s",
    "Unknown field %(field)s; known fields: %(known)s": "未知字段 %(field)s；可用字段：%(known)s",
    # pages
    "As of": "统计日", "The tables are being computed.": "正在计算统计表。", "Counting rules: ": "统计口径：",
    "Counting rules:": "统计口径：", "Party statistics": "党内统计", "Statistical tables": "统计报表",
    "Completeness of records": "信息完整度", "Back to the tables": "返回统计表", "Organization": "党组织",
    "Overall": "总体", "Compute the tables": "计算统计表", "National member-information sheets": "全国党员信息采集表",
    "The computation failed; ask for the report again.": "计算失败，请重新申请。",
    "Empty required fields": "未填写的必填项", "Every required field is filled in.": "必填项均已填写。",
    "Download the sheet (.xlsx)": "下载采集表（.xlsx）",
    "For each field the statistics and the national sheet need, the share of party members whose record holds it "
    "(the student level counts for students only, the full-membership date for full members only).":
        "统计和全国信息采集需要的每一项，已登记该项的党员所占比例（在读层次只计学生，转正日期只计正式党员）。",
    "The yearly tables are computed from the records as of the date you choose (usually 31 December), by a background "
    "task; the result is kept, so the figures you report stay quotable.":
        "年报统计表按所选统计日（通常为 12 月 31 日）由后台任务根据现有数据计算；结果会保存，上报的数字日后仍可查证。",
    "As of %(d)s, counted now: %(n)s.": "统计日 %(d)s，按当前数据计：%(n)s。",
    "The kept report says %(n)s: the records have changed since it was computed.": "保存的报表为 %(n)s：计算后数据已有变动。",
    "%(unit)s: completeness of party members' records": "%(unit)s：党员信息完整度",
    "%(unit)s: party statistics": "%(unit)s：党内统计", "As of %(d)s": "统计日 %(d)s", "Tables as of %(d)s": "统计日 %(d)s 的统计表",
    "%(unit)s: party statistics as of %(d)s": "%(unit)s：党内统计（统计日 %(d)s）",
    "Computing: %(done)s of %(total)s tables.": "正在计算：已完成 %(done)s / %(total)s 张表。",
    "Computed at %(at)s. Each number links to the people or units behind it.": "计算于 %(at)s。点击数字可查看对应的人员或党组织。",
    "No report yet.": "尚无报表。", "Reports": "报表",
}

P = {
    "%(n)s person on the sheet.": "采集表共 %(n)s 人。",
    "%(n)s person has required fields left empty; fill them in before handing the sheet over.":
        "%(n)s 人有必填项未填写，请在上报前补齐。",
}
