"""zh_Hans for campus sign-on (CAS) and QR sign-in at meetings (issue 20)."""

T = {
    "staff or student number": "学号/工号",
    "Sign in with the university's unified identity": "统一身份认证登录",
    "Administrators without a campus account sign in with their password below.":
        "没有校园账号的管理员请在下方用密码登录。",
    "Or sign in with your password below.": "也可在下方用密码登录。",
    "Sign-on not recognised": "未能识别您的身份",
    "The university's sign-on accepted you, but your staff or student number is not on file in this portal yet.":
        "学校统一身份认证已通过，但您的学号/工号未在系统中登记。",
    "Ask your branch secretary or the Organization Department to add your staff or student number to your "
    "member record.": "请联系支部书记或组织部，在您的党员信息中登记学号/工号。",
    "Back to sign-in": "返回登录",
    "Give the student or staff number (letters, digits, . _ -).": "请填写学号或工号（字母、数字及 . _ -）。",
    "This staff or student number belongs to another member.": "该学号/工号已属于另一名党员。",
    "signed in at": "签到时间",
    "sign-in": "签到",
    "sign-ins": "签到",
    "signed in": "已签到",
    "corrected by": "更正人",
    "corrected at": "更正时间",
    "attendance correction": "出席更正",
    "attendance corrections": "出席更正",
    "This is not a sign-in code of this meeting.": "这不是本次会议的签到码。",
    "This code has expired: scan the code on the secretary's screen again.": "签到码已过期，请重新扫描书记手机上的二维码。",
    "Sign-in is open only around the meeting's time.": "仅在会议时间前后可以签到。",
    "The minutes of this meeting have been submitted: sign-in is closed.": "本次会议记录已提交，签到已关闭。",
    "You are not on the list of members expected at this meeting.": "您不在本次会议的应到人员名单中。",
    "Attendance is filled in from the QR sign-ins (%(n)d signed in); correct it where needed.":
        "出席情况已按扫码签到预填（%(n)d 人签到），如有出入请更正。",
    "Sign-in code": "签到二维码",
    "Members scan the code with their phone and sign on; the code changes every few seconds.":
        "党员用手机扫码并登录即可签到；二维码每隔几秒更新一次。",
    "Sign-in is open from %(opens)s to %(closes)s.": "签到时间：%(opens)s 至 %(closes)s。",
    "Fill in the minutes from the sign-ins": "按签到填写会议记录",
    "Sign in to the meeting": "会议签到",
    "Sign in as %(name)s": "以 %(name)s 身份签到",
    "Signed in": "签到成功",
    "You had already signed in": "您已签到过",
    "%(name)s, signed in at %(time)s.": "%(name)s，签到时间 %(time)s。",
    "Show the sign-in code": "显示签到二维码",
}

P = {
    "%(n)s member signed in": "已签到 %(n)s 人",
}
