"""The default 党内统计 tables and national-sheet layouts (issue 21), seeded by migration 0006 and restored by
``load_demo``. Plain data: titles, rows and columns in Chinese as the official forms print them; the 组织部
edits them in the admin when the templates change."""

AGE_ROWS = [
    ["age:30_and_under", "30岁及以下"],
    ["age:31_40", "31至40岁"],
    ["age:41_50", "41至50岁"],
    ["age:51_60", "51至60岁"],
    ["age:61_70", "61至70岁"],
    ["age:71_and_over", "71岁及以上"],
]
EDUCATION_ROWS = [
    ["education:doctorate", "研究生（博士）"],
    ["education:master", "研究生（硕士）"],
    ["education:bachelor", "大学本科"],
    ["education:college", "大学专科"],
    ["education:secondary", "中专及以下"],
    ["education:unknown", "未登记"],
]
YEARS_ROWS = [
    ["years:5_and_under", "5年及以下"],
    ["years:6_10", "6至10年"],
    ["years:11_20", "11至20年"],
    ["years:21_30", "21至30年"],
    ["years:31_50", "31至50年"],
    ["years:51_and_over", "51年及以上"],
]
CATEGORY_COLUMNS = [
    ["total", "合计"],
    ["category:teacher", "教师"],
    ["category:admin_staff", "管理服务人员"],
    ["category:student", "学生"],
    ["category:retiree", "离退休人员"],
]
SEX_COLUMNS = [
    ["total", "合计"],
    ["gender:F", "女"],
    ["ethnicity:minority", "少数民族"],
    ["stage:probationary", "预备党员"],
]

MEMBERS_RULE = (
    "统计截至统计日仍在册的党员（正式党员和预备党员），按党员组织关系所在党支部统计到其所有上级党组织；"
    "预备党员指统计日尚未转正者。已去世、出党、停止党籍的，自其离开之日起不再统计；"
    "组织关系转出的自转出办结之日起不再统计，转入的自转入办结之日起统计。"
)

TABLES = [
    {
        "code": "members-category",
        "order": 10,
        "subject": "members",
        "title": "党员基本情况（按人员类别）",
        "rows": [
            ["total", "合计"],
            ["gender:M", "男"],
            ["gender:F", "女"],
            ["ethnicity:han", "汉族"],
            ["ethnicity:minority", "少数民族"],
            ["stage:full", "正式党员"],
            ["stage:probationary", "预备党员"],
        ],
        "columns": CATEGORY_COLUMNS,
        "rules": MEMBERS_RULE,
    },
    {
        "code": "members-age",
        "order": 20,
        "subject": "members",
        "title": "党员年龄情况",
        "rows": [["total", "合计"], *AGE_ROWS],
        "columns": SEX_COLUMNS,
        "rules": MEMBERS_RULE + "年龄按统计日计算的周岁。",
    },
    {
        "code": "members-education",
        "order": 30,
        "subject": "members",
        "title": "党员学历情况",
        "rows": [["total", "合计"], *EDUCATION_ROWS],
        "columns": CATEGORY_COLUMNS,
        "rules": MEMBERS_RULE + "学历为党员登记的最高学历；未登记的单列，见信息完整度。",
    },
    {
        "code": "members-years",
        "order": 40,
        "subject": "members",
        "title": "党员党龄情况",
        "rows": [["total", "合计"], *YEARS_ROWS],
        "columns": SEX_COLUMNS,
        "rules": MEMBERS_RULE + "党龄自入党之日起按统计日计算的整年数。",
    },
    {
        "code": "members-occupation",
        "order": 50,
        "subject": "members",
        "title": "党员职业情况",
        "rows": [
            ["total", "合计"],
            ["occupation:professional", "专业技术人员"],
            ["occupation:management", "管理人员"],
            ["occupation:worker", "工勤技能人员"],
            ["occupation:student", "学生"],
            ["occupation:retired", "离退休人员"],
            ["occupation:other", "其他职业"],
            ["occupation:unknown", "未登记"],
        ],
        "columns": SEX_COLUMNS,
        "rules": MEMBERS_RULE,
    },
    {
        "code": "students",
        "order": 60,
        "subject": "members",
        "title": "学生党员情况",
        "rows": [
            ["category:student", "学生党员合计"],
            ["student:doctoral", "博士研究生"],
            ["student:master", "硕士研究生"],
            ["student:undergraduate", "本科生"],
            ["student:junior", "专科生"],
            ["student:unknown", "未登记"],
        ],
        "columns": SEX_COLUMNS,
        "rules": MEMBERS_RULE + "学生党员按党员登记的人员类别“学生”统计，层次按登记的在读层次。",
    },
    {
        "code": "admitted",
        "order": 70,
        "subject": "admitted",
        "title": "发展党员情况",
        "rows": [
            ["total", "合计"],
            ["gender:F", "女"],
            ["ethnicity:minority", "少数民族"],
            *AGE_ROWS[:3],
            *EDUCATION_ROWS[:5],
        ],
        "columns": CATEGORY_COLUMNS,
        "rules": "统计年度1月1日至统计日经上级党委审批（第17步“上级党委审批”的日期）接收的预备党员；"
        "无审批记录的（导入的）按入党日期统计。年龄按统计日计算。",
    },
    {
        "code": "pipeline",
        "order": 80,
        "subject": "pipeline",
        "title": "入党申请人、入党积极分子和发展对象情况",
        "rows": [
            ["total", "合计"],
            ["stage:applicant", "入党申请人"],
            ["stage:activist", "入党积极分子"],
            ["stage:candidate", "发展对象"],
        ],
        "columns": [
            ["total", "合计"],
            ["gender:F", "女"],
            ["category:teacher", "教师"],
            ["category:admin_staff", "管理服务人员"],
            ["category:student", "学生"],
        ],
        "rules": "统计日已递交入党申请、尚未入党且仍在册的人员，按统计日所处阶段（确定积极分子、发展对象的日期）统计。",
    },
    {
        "code": "made-full",
        "order": 90,
        "subject": "made_full",
        "title": "预备党员转正情况",
        "rows": [["total", "按期转正"]],
        "columns": CATEGORY_COLUMNS,
        "rules": "统计年度1月1日至统计日经上级党委审批转正（第24步的日期）的党员；无审批记录的按转正日期统计。",
    },
    {
        "code": "extended",
        "order": 100,
        "subject": "extended",
        "title": "延长预备期情况",
        "rows": [["total", "延长预备期"]],
        "columns": CATEGORY_COLUMNS,
        "rules": "统计年度1月1日至统计日作出延长预备期决定的预备党员。",
    },
    {
        "code": "transfers",
        "order": 110,
        "subject": "transfers_in",
        "title": "党员组织关系转入情况",
        "rows": [["total", "转入"]],
        "columns": CATEGORY_COLUMNS,
        "rules": "统计年度1月1日至统计日办结（回执已收）的校外转入组织关系，按转入后的党支部统计。",
    },
    {
        "code": "transfers-out",
        "order": 120,
        "subject": "transfers_out",
        "title": "党员组织关系转出情况",
        "rows": [["total", "转出"]],
        "columns": CATEGORY_COLUMNS,
        "rules": "统计年度1月1日至统计日办结的转往校外的组织关系，按转出前的党支部统计。",
    },
    {
        "code": "left",
        "order": 130,
        "subject": "left",
        "title": "党员减少情况（死亡、出党）",
        "rows": [
            ["total", "合计"],
            ["left:died", "死亡"],
            ["left:expelled", "开除党籍"],
            ["left:struck_off", "除名"],
            ["left:withdrew", "退党"],
            ["left:lapsed", "停止党籍"],
        ],
        "columns": CATEGORY_COLUMNS,
        "rules": "统计年度1月1日至统计日离开党组织的党员，按其离开前所在党支部统计。",
    },
    {
        "code": "evaluations",
        "order": 132,
        "subject": "evaluations",
        "title": "民主评议党员情况",
        "rows": [
            ["total", "正式党员"],
            ["evaluation:evaluated", "参加评议"],
            ["evaluation:excellent", "优秀"],
            ["evaluation:qualified", "合格"],
            ["evaluation:basic", "基本合格"],
            ["evaluation:unqualified", "不合格"],
            ["evaluation:not_evaluated", "未参加评议"],
        ],
        "columns": CATEGORY_COLUMNS,
        "rules": "统计日在册的正式党员，按党员组织关系所在党支部统计到其所有上级党组织；等次为评议年度即统计年度、"
        "经上级党委审批同意的民主评议党员结果。预备党员参加评议、不确定等次，不统计在内；"
        "未参加评议指统计日在册、但无该年度经审批等次的正式党员。",
    },
    {
        "code": "commendations",
        "order": 134,
        "subject": "commendations",
        "title": "党内表彰情况",
        "rows": [
            ["total", "合计"],
            ["honour:unit", "先进基层党组织"],
            ["unit:secondary", "其中：二级党委、党总支"],
            ["unit:branch", "其中：党支部"],
            ["honour:member", "优秀共产党员"],
            ["honour:worker", "优秀党务工作者"],
        ],
        "columns": [
            ["total", "合计"],
            ["level:province", "省级"],
            ["level:university", "校级"],
            ["gender:F", "女"],
            ["category:teacher", "教师"],
            ["category:student", "学生"],
        ],
        "rules": "统计年度1月1日至统计日公布结果的七一表彰中获表彰的党组织和个人：先进基层党组织按受表彰的党组织、"
        "个人按其组织关系所在党支部统计到其所有上级党组织。级别按表彰机关：校党委为校级，省委（教育工委）为省级。"
        "女按个人统计；教师、学生按个人的人员类别或受表彰党支部的类别统计。",
    },
    {
        "code": "organizations",
        "order": 140,
        "subject": "organizations",
        "title": "党组织情况",
        "rows": [
            ["total", "合计"],
            ["kind:committee", "二级党委"],
            ["kind:general_branch", "党总支"],
            ["kind:branch", "党支部"],
            ["category:teacher", "教师党支部"],
            ["category:admin_staff", "机关党支部"],
            ["category:student", "学生党支部"],
            ["category:retiree", "离退休党支部"],
            ["kind:group", "党小组"],
        ],
        "columns": [["total", "个数"], ["term:recorded", "已登记届期"], ["term:elected_in_year", "本年换届"]],
        "rules": "统计日在册（有效）且已成立的党组织，含本单位自身；届期按登记的本届开始日期。",
    },
    {
        "code": "committees",
        "order": 150,
        "subject": "organizations",
        "title": "党组织委员会及换届情况",
        "rows": [
            ["kind:elects", "合计"],
            ["kind:university", "校党委"],
            ["kind:committee", "二级党委"],
            ["kind:general_branch", "党总支"],
            ["kind:branch", "党支部"],
            ["category:teacher", "教师党支部"],
            ["category:admin_staff", "机关党支部"],
            ["category:student", "学生党支部"],
            ["category:retiree", "离退休党支部"],
        ],
        "columns": [
            ["total", "个数"],
            ["committee:formed", "设委员会"],
            ["committee:no_secretary", "书记空缺"],
            ["people:committee", "委员人数"],
            ["people:secretary", "书记人数"],
            ["people:deputy", "副书记人数"],
            ["term:in_force", "已登记届期"],
            ["term:due_in_year", "本年届满"],
            ["term:overdue", "逾期未换届"],
        ],
        "rules": "统计日在册（有效）且已成立的党组织，含本单位自身，不含党小组。委员指统计日在任的书记、副书记、"
        "组织委员、宣传委员、纪检委员（按任职起止日期；一人兼任多职计一人）；设委员会指委员3人及以上；"
        "书记空缺指统计日无在任书记。届期为统计日有效的一届：统计日及以前最近一次换届选举之日起，"
        "无选举记录的按登记的本届开始日期；届满日期为届期开始加任期年限。本年届满指届满日期在统计年度内，"
        "逾期未换届指届满日期早于统计日、至统计日未换届。",
    },
]

COMMON = [
    ["name", "姓名", True],
    ["gender", "性别", True],
    ["ethnicity", "民族", True],
    ["birth_date", "出生日期", True],
    ["id_number", "公民身份号码", True],
    ["education", "学历", True],
]
SHEETS = [
    {
        "kind": "members",
        "title": "党员信息采集表",
        "columns": [
            *COMMON,
            ["category", "人员类别", True],
            ["occupation", "工作岗位", True],
            ["student_level", "在读层次", False],
            ["stage", "党籍状态", True],
            ["joined_on", "入党日期", True],
            ["full_on", "转正日期", False],
            ["branch", "所在党支部", True],
            ["phone", "联系电话", True],
        ],
    },
    {
        "kind": "applicants",
        "title": "入党申请人、积极分子信息采集表",
        "columns": [
            *COMMON,
            ["category", "人员类别", True],
            ["stage", "阶段", True],
            ["applied_on", "申请入党日期", True],
            ["activist_on", "确定积极分子日期", False],
            ["branch", "所在党支部", True],
            ["phone", "联系电话", True],
        ],
    },
    {
        "kind": "candidates",
        "title": "发展对象信息采集表",
        "columns": [
            *COMMON,
            ["category", "人员类别", True],
            ["applied_on", "申请入党日期", True],
            ["activist_on", "确定积极分子日期", True],
            ["candidate_on", "确定发展对象日期", True],
            ["branch", "所在党支部", True],
            ["phone", "联系电话", True],
        ],
    },
]


def seed(StatTable, SheetLayout) -> None:  # noqa: N803 (the historical models a migration passes)
    """Create the defaults that are missing (never overwrite the 组织部's edits)."""
    for table in TABLES:
        StatTable.objects.get_or_create(code=table["code"], defaults=table)
    for sheet in SHEETS:
        SheetLayout.objects.get_or_create(kind=sheet["kind"], defaults=sheet)
