"""zh_Hans for the shared spreadsheet layer (issue 14, item 2): the words every import uses."""

T = {
    "The database refused this row; nothing was imported. Check its values and upload the file again.":
        "数据库拒绝保存此行，未导入任何数据。请检查此行内容后重新上传。",
    "The workbook unpacks to more than %(mb)d MB; it cannot be imported.": "工作簿解压后超过 %(mb)d MB，无法导入。",
    "The sheet has cells beyond column %(column)s; remove them and try again.":
        "工作表在 %(column)s 列之后还有单元格，请删除后重试。",
    "These columns appear more than once: %(columns)s.": "以下列出现了不止一次：%(columns)s。",
    "The text contains control characters.": "文字中含有控制字符。",
    "“%(value)s” is not a date; write it as 2024-07-01.": "“%(value)s”不是日期，请按 2024-07-01 的格式填写。",
    "The date %(day)s is before %(earliest)s.": "日期 %(day)s 早于 %(earliest)s。",
    "The date %(day)s is after %(latest)s.": "日期 %(day)s 晚于 %(latest)s。",
    "“%(value)s” is not a number.": "“%(value)s”不是数字。",
    "“%(value)s” must be a number between %(minimum)s and %(maximum)s.":
        "“%(value)s”应为 %(minimum)s 至 %(maximum)s 之间的数字。",
    "“%(value)s” has more than %(n)d decimal places.": "“%(value)s”的小数超过 %(n)d 位。",
    "“%(value)s” must be a whole number between %(minimum)s and %(maximum)s.":
        "“%(value)s”应为 %(minimum)s 至 %(maximum)s 之间的整数。",
    # The member import's words since issue 3, now the layer's for every import.
    "The ID number must have 18 characters with a correct check character.": "身份证号应为18位且校验位正确。",
    "The phone number must be 11 digits starting with 1.": "手机号应为以1开头的11位数字。",
    "“%(value)s” is also on row %(row)d of the file.": "“%(value)s”与文件第 %(row)d 行重复。",
    "A person with this ID number is already on file.": "已有人员使用此身份证号。",
    "The cell holds the formula error %(code)s; correct the formula or type the value.":
        "单元格中的公式出错（%(code)s），请改正公式或直接填写数值。",
}
