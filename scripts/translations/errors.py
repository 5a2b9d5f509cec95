"""zh_Hans for the error pages (issue 14: templates/400.html, 403.html, 413.html, 500.html)."""

T = {
    "Bad request": "请求有误",
    "The form sent more fields than the portal accepts at once, so nothing was saved.":
        "表单一次提交的字段超过了平台允许的数量，本次内容未保存。",
    "Go back with the browser's back button: what you typed is usually still in the form. Save it in smaller "
    "parts, or ask the Organization Department for help.":
        "请用浏览器的“后退”返回，已填写的内容通常仍在表单中；请分几次保存，或联系组织部协助。",
    "The portal could not understand the request, so nothing was saved.": "平台无法识别本次请求，内容未保存。",
    "Go back and try again; if it happens again, contact the Organization Department.":
        "请返回后重试；如仍出现此问题，请联系组织部。",
    "Request too large": "提交内容过大",
    "What was sent is larger than the portal accepts at once (%(limit_mb)s MB of form text), so nothing was "
    "saved.": "本次提交的内容超过了平台一次允许的大小（表单文字 %(limit_mb)s MB），内容未保存。",
    "Go back with the browser's back button: what you typed is usually still in the form. Send large files as "
    "attachments, a few at a time.":
        "请用浏览器的“后退”返回，已填写的内容通常仍在表单中；较大的文件请作为附件分几次上传。",
    "Server error": "服务器错误",
    "Something went wrong on our side and the page could not be shown. The error has been recorded.":
        "平台内部出现错误，页面无法显示。错误已记录。",
    "Try again in a few minutes; if it keeps happening, contact the Organization Department.":
        "请几分钟后重试；如问题持续，请联系组织部。",
    "The form could not be accepted: it was opened too long ago or your browser did not send the portal's "
    "cookie.": "表单未被接受：页面打开时间过久，或浏览器未保存平台的安全令牌。",
    "Go back, reload the page and send the form again.": "请返回并刷新页面后重新提交。",
    # The dashboard's counts block named a management command.
    "Active organizations and people, the same figures as party_stats.":
        "在册组织与人员，与党内统计报表口径一致。",
}

T |= {
    # templates/registration/password_change_*.html (in place of django.contrib.admin's)
    "Change your password": "修改密码",
    "Change the password": "修改密码",
    "Password changed": "密码已修改",
    "Your password has been changed. Use the new one the next time you sign in.": "密码已修改，下次登录请使用新密码。",
}
