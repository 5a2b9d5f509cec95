"""zh_Hans for resetting a password by e-mail (issue 16.6: templates/registration/password_reset_*)."""

T = {
    "Reset your password": "重置密码",
    "Too many reset requests from this address. Wait an hour and try again, or ask your branch secretary.":
        "本地址的重置请求过多（请求过于频繁）。请一小时后再试，或联系支部书记。",
    "Enter the e-mail address recorded for your account. If it belongs to an account with a password of this "
    "portal, a link to set a new password will be sent to it.":
        "请输入账号登记的电子邮箱。如该邮箱属于设有本平台密码的账号，平台将向其发送设置新密码的链接。",
    "Send the link": "发送链接",
    "Back to sign-in": "返回登录",
    "This portal is not set up to send e-mail, so a password cannot be reset by mail here.":
        "本平台未配置邮件发送，无法通过邮件重置密码。",
    "Ask your branch secretary or the Organization Department to reset it.": "请联系支部书记或组织部重置密码。",
    "Check your e-mail": "请查收邮件",
    "If the address belongs to an account, a link to set a new password has been sent to it. It can be used "
    "once, within a day.": "如该邮箱属于某个账号，设置新密码的链接已发送至该邮箱。链接仅可使用一次，一天内有效。",
    "No mail after a few minutes? Look in the spam folder, or ask your branch secretary: the address recorded "
    "for you may be another.": "几分钟后仍未收到？请查看垃圾邮件，或联系支部书记：您登记的邮箱可能不是这一个。",
    "Set a new password": "设置新密码",
    "Set the password": "设置密码",
    "This link does not work: it has been used already, it is more than a day old, or it was copied "
    "incompletely.": "此链接无法使用：它已被使用过、已超过一天，或复制不完整。",
    "Ask for a new link": "重新获取链接",
    "Password set": "密码已设置",
    "Your new password is set. Sign in with it.": "新密码已设置，请用新密码登录。",
    "Reset your password of the party-branch portal": "重置党建平台的密码",
    "Dear %(name)s,": "%(name)s 同志：",
    "Someone (we hope you) asked to reset the password of your account on the party-branch portal. Open this "
    "link to set a new one; it works once, within a day:":
        "有人（希望是您本人）申请重置您在党建平台的账号密码。请打开以下链接设置新密码，链接仅可使用一次，一天内有效：",
    "Your user name: %(username)s": "您的用户名：%(username)s",
    "If you did not ask for it, ignore this mail: your password stays as it is.":
        "如非本人操作，请忽略本邮件，您的密码不会改变。",
    "Forgotten your password?": "忘记密码？",
}
